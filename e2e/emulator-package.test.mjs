// The identity emulator as its users get it: `npm pack`ed from e2e/identity-server,
// installed in a scratch folder outside the workspace (so nothing resolves from the
// workspace's node_modules), and run as a consumer's tools run it: the command through
// npx, the API for test runners, and the development recipe of the README's
// "Development" section (`ng serve --proxy-config`) exactly as written, ports aside,
// serving the README's own app (scripts/readme-app.mjs), driven in Chromium.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { IdentityAuth } from 'b2trader.identity.auth/core';

import { writeReadmeApp } from '../scripts/readme-app.mjs';
import { launchBrowser } from './support/browser.mjs';
import { DEMO_BUILD, REPO_ROOT } from './support/demo-stack.mjs';
import {
  collectPageErrors,
  SECOND_FACTOR_USER,
  signIn,
  submitSignIn,
  waitForDesk,
  waitForSignInPage,
} from './support/demo-page.mjs';
import { startStaticProxyServer } from './support/static-proxy-server.mjs';
import { waitFor } from './support/wait-for.mjs';
import { freePort } from '../scripts/free-port.mjs';

const run = promisify(execFile);
const PACKAGE_DIR = join(REPO_ROOT, 'e2e', 'identity-server');
const PACKAGE_NAME = 'b2trader-identity-emulator';
const README = join(REPO_ROOT, 'README.md');
const RECIPE_HEADING = '## Development: your app, the dev server and an identity service';

/**
 * Starts a command in its own process group and collects its output; `stop()` ends
 * the group (npx and the server it started) and resolves with the exit code.
 */
function startCommand(command, args, options) {
  const child = spawn(command, args, {
    ...options,
    env: { ...process.env, NG_CLI_ANALYTICS: 'false', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const started = { child, output: '', exit: undefined };
  child.stdout.on('data', (chunk) => (started.output += chunk));
  child.stderr.on('data', (chunk) => (started.output += chunk));
  started.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve((started.exit = code ?? signal))),
  );
  started.stop = async (signal = 'SIGTERM') => {
    if (started.exit === undefined) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // gone already
      }
    }
    return started.exited;
  };
  return started;
}

/** The emulator's URL once the command says it listens. */
async function listeningUrl(started) {
  const match = await waitFor(
    () =>
      started.exit === undefined && /Ctrl-C stops it/.test(started.output) && /listening on (\S+)/.exec(started.output),
    { timeoutMs: 20_000, message: `the emulator command to start (output: ${started.output})` },
  );
  return match[1];
}

/** The fenced code blocks of a Markdown text, in order: `{ lang, body }`. */
function codeBlocks(markdown) {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(([, lang, body]) => ({ lang, body }));
}

/** The README's development recipe: its section, up to the next `## ` heading. */
async function recipeText() {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf(`\n${RECIPE_HEADING}\n`);
  assert.ok(start >= 0, `README.md has the section "${RECIPE_HEADING}"`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The documented `proxy.conf.json`, the emulator command and the dev-server command. */
function readRecipe(markdown) {
  const blocks = codeBlocks(markdown);
  const proxyConfig = JSON.parse(blocks.find((b) => b.lang === 'json').body);
  const commands = blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.body.trim().split('\n'));
  const emulator = commands.find((c) => c.startsWith(`npx ${PACKAGE_NAME} `));
  const devServer = commands.find((c) => c.startsWith('npx ng serve '));
  return { proxyConfig, emulator: emulator?.split(/\s+/), devServer: devServer?.split(/\s+/) };
}

describe(`${PACKAGE_NAME}, packed and installed outside the workspace`, () => {
  let scratch;
  let installed; // the package's API, imported by name from the scratch folder
  let browser;

  before(async () => {
    scratch = await realpath(await mkdtemp(join(tmpdir(), 'b2trader-emulator-')));
    const pack = await run('npm', ['pack', PACKAGE_DIR, '--pack-destination', scratch, '--silent'], { cwd: scratch });
    const tarball = pack.stdout.trim().split('\n').pop();
    await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const started = Date.now();
    await run('npm', ['install', `./${tarball}`, '--prefer-offline', '--no-audit', '--no-fund', '--silent'], {
      cwd: scratch,
    });
    console.log(`# npm install of the packed emulator: ${Date.now() - started} ms`);
    // A consumer's import by package name: resolved from the scratch folder, through the package's exports.
    await writeFile(join(scratch, 'emulator.mjs'), `export * from '${PACKAGE_NAME}';\n`);
    installed = await import(pathToFileURL(join(scratch, 'emulator.mjs')).href);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('resolves itself and oidc-provider from the scratch folder, not from the workspace', () => {
    assert.ok(relative(REPO_ROOT, scratch).startsWith('..'), `${scratch} lies outside the workspace`);
    const requireFromScratch = createRequire(join(scratch, 'index.js'));
    for (const name of ['oidc-provider', 'jose', `${PACKAGE_NAME}/package.json`]) {
      const resolved = requireFromScratch.resolve(name);
      assert.ok(resolved.startsWith(join(scratch, 'node_modules')), `${name} resolves to ${resolved}`);
    }
    assert.equal(typeof installed.startIdentityEmulator, 'function');
    assert.equal(typeof installed.emulatorControls, 'function');
  });

  it('npx …: --help prints the usage; the command serves the demo sign-in behind a proxy', async (t) => {
    const help = await run('npx', [PACKAGE_NAME, '--help'], { cwd: scratch });
    assert.match(help.stdout, new RegExp(`^Usage: ${PACKAGE_NAME} \\[options\\]`));
    assert.match(help.stdout, /--public-url <url>/);

    const web = await startStaticProxyServer({ root: DEMO_BUILD });
    t.after(() => web.close());
    const command = startCommand(
      'npx',
      [PACKAGE_NAME, '--port', '0', '--public-url', web.url, '--test-controls', '--access-token-ttl', '20'],
      { cwd: scratch },
    );
    t.after(() => command.stop('SIGKILL'));
    const url = await listeningUrl(command);
    assert.match(command.output, new RegExp(`issuer ${web.url.replace(/\./g, '\\.')}/identity`));
    assert.match(command.output, /trader@example\.com \/ Passw0rd!/);
    web.proxyTo(url);

    const page = await browser.newPage();
    t.after(() => page.close());
    await signIn(page, web.url, installed.SEEDED_USERS.trader);
    const stats = await installed.emulatorControls(url).stats();
    assert.deepEqual(stats.signIn, { succeeded: 1, failed: 0 });
    assert.equal(stats.tokenRequests.authorization_code, 1);

    await command.stop('SIGINT');
    assert.match(command.output, /identity-server: stopped/, 'Ctrl-C stops the emulator cleanly');
    await assert.rejects(fetch(`${url}/identity`), 'nothing answers any more');
  });

  it('startIdentityEmulator: a fault set through the API shows in the app, cleared it signs in', async (t) => {
    const web = await startStaticProxyServer({ root: DEMO_BUILD });
    t.after(() => web.close());
    const emulator = await installed.startIdentityEmulator({ publicUrl: web.url });
    t.after(() => emulator.stop());
    assert.equal(emulator.issuer, `${web.url}/identity`);
    web.proxyTo(emulator.url);

    await emulator.setFault({ path: '/identity/sign-in', mode: 'html', status: 502 });
    assert.deepEqual(
      (await emulator.faults()).faults.map((f) => `${f.mode} ${f.path}`),
      ['html /identity/sign-in'],
    );
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(`${web.url}/sign-in`);
    await submitSignIn(page, emulator.users.trader);
    await page.getByTestId('sign-in-error').waitFor();
    assert.equal((await emulator.stats()).faultsApplied, 1);

    await emulator.clearFaults();
    assert.deepEqual((await emulator.faults()).faults, []);
    await submitSignIn(page, emulator.users.trader);
    await waitForDesk(page);
    assert.deepEqual((await emulator.stats()).signIn, { succeeded: 1, failed: 0 });
  });

  it('a public URL other than the origin the client sees: the error the recipe quotes, issuers aside', async (t) => {
    const quoted = /`(authorize failed: unexpected "iss" \(issuer\) response parameter value: [^`]+)`/.exec(
      await recipeText(),
    );
    assert.ok(quoted, 'the recipe quotes the issuer-mismatch error');
    // the documented names (the emulator's own address, the dev server's origin) stand for this run's
    const pattern = new RegExp(
      quoted[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/http:\/\/\S+?\/identity/g, '(http://\\S+?/identity)'),
    );
    const emulator = await installed.startIdentityEmulator({ publicUrl: 'http://localhost:4200' });
    t.after(() => emulator.stop());
    const client = new IdentityAuth(emulator.url, 'spa');
    await client.signIn(emulator.users.trader.email, emulator.users.trader.password);
    await assert.rejects(client.authorize(), (error) => {
      assert.equal(error.kind, 'invalid_response');
      const names = pattern.exec(error.message);
      assert.ok(names, `${error.message}\ndoes not match the recipe's\n${quoted[1]}`);
      assert.deepEqual(names.slice(1), ['http://localhost:4200/identity', `${emulator.url}/identity`]);
      assert.match(error.message, /The issuer must be on the origin the browser sees/);
      return true;
    });
  });

  it("the development recipe, as written, serves the README's app: the guard, the second factor, back to returnUrl", async (t) => {
    const recipe = readRecipe(await recipeText());
    // the documented ports and origin, replaced by free ones so that a developer's own 5055 or 4200 does not matter
    assert.deepEqual(recipe.emulator, ['npx', PACKAGE_NAME, '--port', '5055', '--public-url', 'http://localhost:4200']);
    assert.deepEqual(recipe.devServer, ['npx', 'ng', 'serve', '--proxy-config', 'proxy.conf.json']);
    assert.deepEqual(Object.keys(recipe.proxyConfig), ['/identity', '/api']);
    const [emulatorPort, devPort] = [await freePort(), await freePort()];
    const proxyConfig = {};
    for (const [path, route] of Object.entries(recipe.proxyConfig)) {
      assert.equal(route.target, 'http://127.0.0.1:5055', `${path} goes to the emulator's documented address`);
      proxyConfig[path] = { ...route, target: `http://127.0.0.1:${emulatorPort}` };
    }
    // The app: the README's Quick start with its complete sign-in page, in a workspace of its own.
    const appDir = join(REPO_ROOT, 'dist', 'readme-app');
    writeReadmeApp(appDir, await readFile(README, 'utf8'));
    t.after(() => rm(appDir, { recursive: true, force: true }));
    await writeFile(join(appDir, 'proxy.conf.json'), JSON.stringify(proxyConfig, null, 2));
    const origin = `http://localhost:${devPort}`;

    const [npx, ...emulatorArgs] = recipe.emulator.map((word) =>
      word === '5055' ? String(emulatorPort) : word === 'http://localhost:4200' ? origin : word,
    );
    const emulator = startCommand(npx, emulatorArgs, { cwd: scratch });
    t.after(() => emulator.stop('SIGKILL'));
    const [devNpx, ...ngArgs] = recipe.devServer;
    const started = Date.now();
    const devServer = startCommand(devNpx, [...ngArgs, '--port', String(devPort)], { cwd: appDir });
    t.after(() => devServer.stop('SIGTERM'));
    await listeningUrl(emulator);
    await waitFor(
      async () => {
        assert.equal(devServer.exit, undefined, `ng serve exited: ${devServer.output}`);
        return (await fetch(`${origin}/`).catch(() => undefined))?.ok;
      },
      { timeoutMs: 120_000, intervalMs: 250, message: `ng serve on ${origin} (output: ${devServer.output})` },
    );
    console.log(`# ng serve --proxy-config (the README's app): answering after ${Date.now() - started} ms`);

    const page = await browser.newPage();
    t.after(() => page.close());
    const errors = collectPageErrors(page);
    await page.goto(`${origin}/desk`);
    await waitForSignInPage(page);
    assert.equal(new URL(page.url()).searchParams.get('returnUrl'), '/desk', 'the guard sent the visit to sign-in');
    await submitSignIn(page, SECOND_FACTOR_USER);
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), 'The second factor was not accepted.', 'a wrong code stays on its step');
    await page.getByLabel('Code').fill(SECOND_FACTOR_USER.code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText(`Signed in as ${SECOND_FACTOR_USER.email}`).waitFor();
    assert.equal(new URL(page.url()).pathname, '/desk', 'back to returnUrl');
    assert.deepEqual(errors, [], 'no uncaught error (an inject() in the click handler would throw NG0203)');

    await emulator.stop('SIGINT');
    assert.match(emulator.output, /identity-server: stopped/, 'Ctrl-C stops the emulator cleanly');
  });
});
