// Angular 22 as a user meets it: the packed library installed with a plain `npm install`
// (npm checks its peer ranges against Angular 22), the consumer app's sources built by the
// Angular 22 CLI in production mode on Node 22, and the consumer checks run in Chromium.
// The library itself stays built with Angular 21: its partial compilation is what Angular 22
// reads here. Node 22 and the app's node_modules are cached under e2e/out/angular22/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import {
  ANGULAR_VERSION,
  APP_DIR,
  buildApp,
  copyConsumerSources,
  installPackedLibrary,
  NODE_BIN_DIR,
  NODE_VERSION,
  prepareAngular22Workspace,
} from './support/angular22-workspace.mjs';
import { launchBrowser } from './support/browser.mjs';
import { checkConsumerApp } from './support/consumer-checks.mjs';
import { REPO_ROOT, startDemoStack } from './support/demo-stack.mjs';

const run = promisify(execFile);
const BUILT_LIBRARY = join(REPO_ROOT, 'dist', 'identity-auth');
const CONSUMER_APP = join(REPO_ROOT, 'e2e', 'consumer-app');

/** Runs `work` and returns its result with how long it took. */
async function timed(work) {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

describe('Angular 22 consumer: the packed library with a plain npm install, built by the Angular 22 CLI', () => {
  const timings = {};
  let prepared;
  let tarball;
  let stack;
  let browser;

  before(async () => {
    if (!existsSync(join(BUILT_LIBRARY, 'package.json'))) {
      throw new Error('e2e: dist/identity-auth is missing: `npm run build`');
    }
    ({ result: prepared, ms: timings.prepare } = await timed(prepareAngular22Workspace));
    ({ result: tarball, ms: timings.install } = await timed(() => installPackedLibrary(BUILT_LIBRARY)));
    copyConsumerSources(CONSUMER_APP);
    let built;
    ({ result: built, ms: timings.build } = await timed(buildApp));
    stack = await startDemoStack({ root: built, accessTokenTtl: 30 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('prepared the workspace on Node 22 with Angular 22.2 (cached between runs)', async (t) => {
    const { stdout } = await run(join(NODE_BIN_DIR, 'node'), ['--version']);
    assert.equal(stdout.trim(), `v${NODE_VERSION}`);
    const appRequire = createRequire(join(APP_DIR, 'package.json'));
    for (const name of ['@angular/core', '@angular/cli', '@angular/build', '@angular/compiler-cli']) {
      assert.equal(
        JSON.parse(readFileSync(appRequire.resolve(`${name}/package.json`), 'utf8')).version,
        ANGULAR_VERSION,
      );
    }
    const fresh = [prepared.installedNode && 'Node', prepared.installedApp && 'dependencies'].filter(Boolean);
    t.diagnostic(
      `prepare ${timings.prepare} ms (${fresh.length ? `installed ${fresh.join(' and ')}` : 'already in place'}), ` +
        `tarball install ${timings.install} ms, ng build ${timings.build} ms`,
    );
  });

  it('installed the packed tarball of this run, not the workspace build or an earlier tarball', async () => {
    const resolved = realpathSync(createRequire(join(APP_DIR, 'package.json')).resolve('b2trader.identity.auth'));
    const installedRoot = join(APP_DIR, 'node_modules', 'b2trader.identity.auth');
    assert.ok(resolved.startsWith(installedRoot), resolved);
    const bundle = 'fesm2022/b2trader.identity.auth.mjs';
    const { stdout: packed } = await run('tar', ['-xzOf', tarball, `package/${bundle}`], {
      encoding: 'buffer',
      maxBuffer: 1 << 24,
    });
    assert.ok(readFileSync(join(installedRoot, bundle)).equals(packed), 'the installed bundle is not the packed one');
  });

  it('signs in through forRoot(), is stable and idle under zone.js, and gets an API answer', async (t) => {
    const figures = await checkConsumerApp({ browser, baseUrl: stack.url });
    t.diagnostic(`stable ${figures.stableAfterSignInMs} ms after sign-in; ${figures.idleRenders} idle renders`);
  });
});
