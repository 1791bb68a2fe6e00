// A consumer's view: the built library packed with `npm pack`, installed into a small
// NgModule app on zone.js (IdentityAuthModule.forRoot(), HttpClient with the DI
// interceptors), built with the Angular CLI and driven in Chromium by the checks that the
// Angular 22 consumer shares (support/consumer-checks.mjs).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { launchBrowser } from './support/browser.mjs';
import { REPO_ROOT, startDemoStack } from './support/demo-stack.mjs';
import { checkConsumerApp } from './support/consumer-checks.mjs';

const run = promisify(execFile);
const APP = join(REPO_ROOT, 'e2e', 'consumer-app');
const PACKED = join(REPO_ROOT, 'e2e', 'out', 'packed');
const BUILT = join(APP, 'dist', 'consumer', 'browser');

async function step(name, command, args, cwd) {
  try {
    return await run(command, args, { cwd, env: { ...process.env, NG_CLI_ANALYTICS: 'false' }, maxBuffer: 1 << 24 });
  } catch (error) {
    throw new Error(`e2e: ${name} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`.slice(0, 4000));
  }
}

describe('consumer smoke test: the packed library in an NgModule app', () => {
  let stack;
  let browser;

  before(async () => {
    const dist = join(REPO_ROOT, 'dist', 'identity-auth');
    if (!existsSync(join(dist, 'package.json'))) throw new Error('e2e: dist/identity-auth is missing: `npm run build`');
    rmSync(PACKED, { recursive: true, force: true });
    mkdirSync(PACKED, { recursive: true });
    const { stdout } = await step('npm pack', 'npm', ['pack', dist, '--pack-destination', PACKED, '--json'], REPO_ROOT);
    const tarball = join(PACKED, JSON.parse(stdout)[0].filename);
    rmSync(join(APP, 'node_modules'), { recursive: true, force: true });
    // Angular itself comes from the workspace (a peer dependency, found up the tree); the
    // package and its own dependencies go into the app's node_modules, as in any consumer.
    await step(
      'npm install of the tarball',
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--prefer-offline',
        '--legacy-peer-deps',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        tarball,
      ],
      APP,
    );
    rmSync(join(APP, 'dist'), { recursive: true, force: true });
    await step(
      'ng build',
      process.execPath,
      [join(REPO_ROOT, 'node_modules', '@angular', 'cli', 'bin', 'ng.js'), 'build'],
      APP,
    );
    stack = await startDemoStack({ root: BUILT, accessTokenTtl: 30 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('built against the installed tarball, not the workspace', () => {
    const resolved = realpathSync(createRequire(join(APP, 'package.json')).resolve('b2trader.identity.auth'));
    assert.ok(resolved.startsWith(join(APP, 'node_modules', 'b2trader.identity.auth')), resolved);
  });

  it('signs in through forRoot(), is stable and idle under zone.js, and gets an API answer', async (t) => {
    const figures = await checkConsumerApp({ browser, baseUrl: stack.url });
    t.diagnostic(`stable ${figures.stableAfterSignInMs} ms after sign-in; ${figures.idleRenders} idle renders`);
  });
});
