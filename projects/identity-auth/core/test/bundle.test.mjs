// What an app bundles from the core: nothing but oauth4webapi comes along, and a
// browser app that never signs in machine-to-machine carries no password-grant code.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';

import { build } from 'esbuild';

async function bundle(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    treeShaking: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

const PASSWORD_GRANT_MARKER = 'machine-to-machine sign-in needs the client secret';

test('the browser steps (sign-in, authorize, exchange, refresh, sign-out) leave the password grant out', async () => {
  const browserApp = await bundle(`
    import { createIdentityClient, signIn, authorize, exchangeCode, refreshTokens, signOut } from 'b2trader.identity.auth/core';
    globalThis.steps = [createIdentityClient, signIn, authorize, exchangeCode, refreshTokens, signOut];
  `);
  assert.ok(browserApp.includes('sign-in-done'), 'the bundle holds the browser steps');
  assert.ok(!browserApp.includes(PASSWORD_GRANT_MARKER), 'no password-grant code');
  console.log(
    `browser steps: ${browserApp.length} bytes minified, ${gzipSync(browserApp).length} bytes gzip (oauth4webapi included)`,
  );
});

test('importing passwordGrant (or the 1.2 facade) brings it in: the check above can fail', async () => {
  const withPasswordGrant = await bundle(`
    import { passwordGrant } from 'b2trader.identity.auth/core';
    globalThis.step = passwordGrant;
  `);
  assert.ok(withPasswordGrant.includes(PASSWORD_GRANT_MARKER));
  const facade = await bundle(`
    import { IdentityAuth } from 'b2trader.identity.auth/core';
    globalThis.step = IdentityAuth;
  `);
  assert.ok(facade.includes(PASSWORD_GRANT_MARKER));
});

test('the built core imports nothing but oauth4webapi: no Angular, no rxjs, no Node built-ins', async () => {
  const { readFile } = await import('node:fs/promises');
  const { createRequire } = await import('node:module');
  const entry = createRequire(import.meta.url).resolve('b2trader.identity.auth/core');
  const code = await readFile(entry, 'utf8');
  const specifiers = [
    ...code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2]);
  assert.ok(specifiers.length > 0, 'found the imports');
  assert.deepEqual([...new Set(specifiers)], ['oauth4webapi']);
});
