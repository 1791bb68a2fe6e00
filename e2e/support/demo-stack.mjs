// The demo as the browser tests see it: the production build on one loopback origin,
// the identity emulator behind /identity, /api and /__ with a short token lifetime.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startIdentityServer } from '../identity-server/server.mjs';
import { startStaticProxyServer } from './static-proxy-server.mjs';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where `ng build demo` writes the production build. */
export const DEMO_BUILD = join(REPO_ROOT, 'dist', 'demo', 'browser');

/**
 * Starts the emulator and the demo's production build on one origin.
 *
 * @param {object} [options]
 * @param {number} [options.accessTokenTtl] access-token lifetime in seconds (default 4)
 * @param {'memory' | 'session' | 'local'} [options.storage] the demo's token storage (default memory)
 * @param {number} [options.pollMs] how often the demo's API panel calls the API (default 1000)
 * @param {{ ratio?: number, minLeadMs?: number, minDelayMs?: number }} [options.refresh] the library's refresh
 *   timing (default `{ minLeadMs: 1000 }`: a 4 s token is refreshed at 3 s, once per lifetime)
 * @param {number} [options.timeoutMs] the library's time limit per identity request (its default: 10 000)
 * @param {string} [options.csp] a Content-Security-Policy header for index.html
 * @param {string} [options.root] another built app to serve instead of the demo
 * @param {object} [options.emulator] more `startIdentityServer` options (sessionTtl, refreshTokenTtl, …)
 * @returns {Promise<{ url: string, emulatorUrl: string, close(): Promise<void> }>}
 */
export async function startDemoStack(options = {}) {
  const root = options.root ?? DEMO_BUILD;
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`e2e: ${root}/index.html is missing: run \`npx ng build demo\` first`);
  }
  const demoConfig = JSON.stringify({
    storage: options.storage ?? 'memory',
    pollMs: options.pollMs ?? 1000,
    refresh: options.refresh ?? { minLeadMs: 1000 },
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
  const web = await startStaticProxyServer({
    root,
    routes: {
      '/demo-config.json': (_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(demoConfig),
    },
    headers: (file) => (options.csp && file.endsWith('index.html') ? { 'content-security-policy': options.csp } : {}),
  });
  let emulator;
  try {
    emulator = await startIdentityServer({
      port: 0,
      publicUrl: web.url,
      accessTokenTtl: options.accessTokenTtl ?? 4,
      testControls: true,
      ...options.emulator,
    });
  } catch (error) {
    await web.close();
    throw error;
  }
  web.proxyTo(emulator.url);
  return {
    url: web.url,
    emulatorUrl: emulator.url,
    async close() {
      await web.close();
      await emulator.close();
    },
  };
}
