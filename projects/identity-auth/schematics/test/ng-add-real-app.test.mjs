// Once for real: apps the CLI's own schematics generate, written to disk, set up by
// `ng generate b2trader.identity.auth:ng-add --defaults` through the real Angular CLI;
// the standalone app then builds with `ng build` (production), the NgModule app
// type-checks with tsc. The workspace's node_modules (with the built library linked
// into it) stand in for the apps' own install.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

import { ROOT, addApp, generatedApp } from './app-trees.mjs';

const NG = join(ROOT, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Writes every file of a schematic tree under the folder. */
function writeTree(tree, folder) {
  for (const file of tree.files) {
    const target = join(folder, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, tree.read(file));
  }
}

/** Runs a Node script in the folder; resolves with its exit code and output. */
function node(folder, script, args) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: folder, env: { ...process.env, NG_CLI_ANALYTICS: 'false', CI: 'true' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

const read = (...parts) => readFileSync(join(...parts), 'utf8');

test(
  'ng generate b2trader.identity.auth:ng-add --defaults sets up generated apps that then build',
  { timeout: 180_000 },
  async (t) => {
    const folder = mkdtempSync(join(tmpdir(), 'ng-add-app-'));
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    writeTree(await addApp(await generatedApp(), { name: 'desk', standalone: false }), folder);
    symlinkSync(join(ROOT, 'node_modules'), join(folder, 'node_modules'), 'dir');

    for (const project of ['shop', 'desk']) {
      const args = ['generate', 'b2trader.identity.auth:ng-add', '--defaults', '--proxy', `--project=${project}`];
      const added = await node(folder, NG, args);
      assert.equal(added.code, 0, added.output);
    }
    const config = read(folder, 'projects', 'shop', 'src', 'app', 'app.config.ts');
    assert.match(config, /provideIdentityAuth\(\{ url: '\/', clientId: 'spa', apis: \['\/api\/'\] \}\)/);
    assert.match(config, /provideHttpClient\(withInterceptors\(\[identityAuthInterceptor\]\)\)/);
    assert.match(read(folder, 'projects', 'desk', 'src', 'app', 'app-module.ts'), /IdentityAuthModule\.forRoot\(/);
    const workspace = JSON.parse(read(folder, 'angular.json'));
    assert.equal(workspace.projects.shop.architect.serve.options.proxyConfig, 'projects/shop/proxy.conf.json');

    // side by side: the build and the type check read the same files and write nothing in common
    const [built, checked] = await Promise.all([
      node(folder, NG, ['build', 'shop', '--no-progress']),
      node(folder, TSC, ['--noEmit', '-p', join('projects', 'desk', 'tsconfig.app.json')]),
    ]);
    assert.equal(built.code, 0, built.output);
    assert.equal(checked.code, 0, checked.output);
    const browser = join(folder, 'dist', 'shop', 'browser');
    const main = readdirSync(browser).find((file) => /^main-\w+\.js$/.test(file));
    assert.ok(main, `a main bundle in ${readdirSync(browser).join(', ')}`);
    // the library's token endpoint path: the session made it into the bundle
    assert.match(read(browser, main), /\/identity\/connect\/token/);
  },
);
