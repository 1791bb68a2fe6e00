// The browser side's test bed: one loopback origin that serves the harness page and proxies /identity, /api and
// /__ to the emulator, as production serves the identity service on the app's origin. One Chromium page on it.
import { createReadStream, existsSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { extname, join, normalize } from 'node:path';

import { chromium } from 'playwright-core';

import { startIdentityServer } from '../../e2e/identity-server/server.mjs';
import CHROMIUM_FLAGS from '../../e2e/support/chromium-flags.cjs';

const PROXIED = ['/identity', '/api', '/__'];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Chromium as the project runs it everywhere: the system binary, headless, never downloaded. */
export const CHROMIUM_ARGS = CHROMIUM_FLAGS;

export async function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROME_BIN || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

function serveFile(root, req, res) {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(root, path);
  if (!file.startsWith(root) || !existsSync(file) || path === '/') file = join(root, 'index.html');
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

/**
 * Starts the emulator (with test controls and the given access-token lifetime) behind a server for `pageDir`.
 * Resolves to `{ origin, stats(), resetStats(), close() }`.
 */
export async function startTestBed({ pageDir, accessTokenTtl }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let target;
  const server = createServer((req, res) => {
    if (!PROXIED.some((p) => req.url === p || req.url.startsWith(`${p}/`) || req.url.startsWith(`${p}?`))) {
      serveFile(pageDir, req, res);
      return;
    }
    const upstream = request(
      new URL(req.url, target),
      { method: req.method, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const emulator = await startIdentityServer({ port: 0, publicUrl: origin, testControls: true, accessTokenTtl });
  target = emulator.url;
  const control = async (path, method = 'GET') => (await fetch(`${emulator.url}${path}`, { method })).json();
  return {
    origin,
    stats: () => control('/__stats'),
    resetStats: () => fetch(`${emulator.url}/__stats/reset`, { method: 'POST' }),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
      await emulator.close();
    },
  };
}

/** A fresh page on the test bed, once the harness has published `window.bench`. */
export async function openHarness(context, origin) {
  const page = await context.newPage();
  await page.goto(origin);
  await page.waitForFunction('document.title === "ready"', null, { timeout: 30_000 });
  return page;
}

/** Calls `window.bench[method](...args)` in the page and resolves to its (serialisable) result. */
export function callHarness(page, method, ...args) {
  return page.evaluate(([m, a]) => globalThis.bench[m](...a), [method, args]);
}

/** Resolves once `window.bench.seen()` in the page satisfies `field` compared with `value` (=== or >). */
export function waitForSeen(page, field, op, value) {
  return page.waitForFunction(
    ([f, o, v]) => {
      const actual = globalThis.bench.seen()[f];
      return o === '>' ? actual > v : actual === v;
    },
    [field, op, value],
    { timeout: 20_000 },
  );
}
