// What users of the built package get (dist/identity-auth, as npm would pack it):
// the README and LICENSE, optional Angular peers, `repository`, and a README whose
// first words say where the 1.2 class went and whose example runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startIdentityServer } from '../../e2e/identity-server/server.mjs';
import { runModule as runFrom } from '../../e2e/identity-server/test/helpers.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist', 'identity-auth');
const read = (...parts) => readFileSync(join(...parts), 'utf8');

/** Runs an ES module given as text from the repository root, where the built package resolves. */
const runModule = (source) => runFrom(source, { cwd: ROOT });

test('the built package carries the README and the BSD-3-Clause LICENSE', () => {
  assert.equal(read(DIST, 'README.md'), read(ROOT, 'projects', 'identity-auth', 'README.md'));
  const license = read(DIST, 'LICENSE');
  assert.equal(license, read(ROOT, 'LICENSE'));
  assert.match(license, /^BSD 3-Clause License\n\nCopyright \(c\) B2Trader b2trader\.identity\.auth authors\n/);
});

test('the Angular peers are optional, so Node users of /core do not get them; repository and license are set', () => {
  const pkg = JSON.parse(read(DIST, 'package.json'));
  assert.deepEqual(Object.keys(pkg.peerDependencies).sort(), [
    '@angular/common',
    '@angular/core',
    '@angular/router',
    'rxjs',
  ]);
  for (const name of Object.keys(pkg.peerDependencies)) {
    assert.deepEqual(pkg.peerDependenciesMeta?.[name], { optional: true }, name);
  }
  assert.equal(pkg.license, 'BSD-3-Clause');
  assert.equal(pkg.repository?.type, 'git');
  assert.match(pkg.repository?.url, /^git\+https:\/\/.+\.git$/);
  assert.equal(pkg.repository?.directory, 'projects/identity-auth');
});

test("the README's first code says where IdentityAuth went, and the root import really fails in Node as it says", async () => {
  const readme = read(DIST, 'README.md');
  const firstCode = /```js\n([\s\S]*?)```/.exec(readme)[1].replace(/^> ?/gm, '').trim();
  assert.equal(firstCode, "import { IdentityAuth } from 'b2trader.identity.auth/core';");
  assert.ok(readme.indexOf(firstCode) < readme.indexOf('## '), 'before the first section');

  const fromRoot = await runModule("import { IdentityAuth } from 'b2trader.identity.auth'; console.log(IdentityAuth);");
  assert.notEqual(fromRoot.code, 0);
  assert.match(fromRoot.stderr, /does not provide an export named 'IdentityAuth'/);
  const fromCore = await runModule(`${firstCode} console.log(typeof IdentityAuth);`);
  assert.deepEqual([fromCore.code, fromCore.stdout], [0, 'function\n'], fromCore.stderr);
});

test("the README's Node example runs against the emulator", async (t) => {
  const server = await startIdentityServer({ port: 0, unref: true, quiet: true });
  t.after(() => server.close());
  const blocks = [...read(DIST, 'README.md').matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  assert.equal(blocks.length, 1, 'one example outside the migration note');
  const { code, stdout, stderr } = await runModule(blocks[0].replaceAll('https://example.com', server.url));
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^openid FrontOffice offline_access \d{13}\n$/, 'the scope and expiresAt (epoch ms)');
});

test('the package README and the root README link docs/protocol.md, and it exists', () => {
  assert.match(read(ROOT, 'projects', 'identity-auth', 'README.md'), /\]\(\.\.\/\.\.\/docs\/protocol\.md\)/);
  assert.match(read(ROOT, 'README.md'), /\]\(docs\/protocol\.md\)/);
  assert.match(read(ROOT, 'docs', 'protocol.md'), /^# The B2Trader identity protocol/);
});
