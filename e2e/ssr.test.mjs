// Server-side rendering as users build it: e2e/ssr-app, a standalone @angular/ssr app with
// the README's providers, built with the Angular CLI (route extraction, `/` prerendered)
// against the built library, served by its own Node server (AngularNodeAppEngine on
// node:http, which also passes /identity and /api to the emulator), and driven by HTTP
// requests and Chromium — once with the default start-up restore, once with
// withManualRestore(), picked per request by a cookie (one build serves both).
/* global document, MutationObserver */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { startIdentityServer } from './identity-server/server.mjs';
import { launchBrowser } from './support/browser.mjs';
import { REPO_ROOT } from './support/demo-stack.mjs';
import { readStats } from './support/emulator-controls.mjs';
import { waitFor } from './support/wait-for.mjs';
import { freePort } from '../scripts/free-port.mjs';

const APP = join(REPO_ROOT, 'e2e', 'ssr-app');
const SERVER_ENTRY = join(APP, 'dist', 'ssr', 'server', 'server.mjs');
const MODES = ['start-up', 'manual'];
/** The cookie the app reads to bootstrap with withManualRestore() (src/app/restore-mode.ts). */
const MANUAL_COOKIE = 'ssr-app-restore=manual';
const ACCOUNT_ID = '10e3bfcf-56f7-421d-84ea-1700209ae121';

/** The `#status` text of a server answer, or null when it has none. */
function renderedStatus(html) {
  return /<p id="status"[^>]*>([^<]*)<\/p>/.exec(html)?.[1] ?? null;
}

/** Identity-service requests the emulator has seen (its test controls are not counted). */
function identityRequests(stats) {
  return Object.values(stats.requests).reduce((sum, count) => sum + count, 0);
}

/** Records, from the first byte on, every status and page the document shows, and the server's `#status` node. */
function recordRenders() {
  const seen = [];
  const note = () => {
    const text = (id) => document.getElementById(id)?.textContent?.trim() ?? '';
    const shown = `${text('status')} ${text('page')}`;
    if (shown !== ' ' && seen.at(-1) !== shown) seen.push(shown);
  };
  globalThis.rendersSeen = seen;
  new MutationObserver(note).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener('DOMContentLoaded', () => {
    globalThis.serverStatusNode = document.getElementById('status');
    note();
  });
}

describe('SSR: the library in an @angular/ssr app built by the CLI, served by its own Node server', () => {
  let emulator;
  let server;
  let baseUrl;
  let browser;
  let buildMs;

  /** A server answer, not followed; fails instead of hanging when the server never answers. */
  async function get(path, mode) {
    const started = performance.now();
    const response = await fetch(new URL(path, baseUrl), {
      redirect: 'manual',
      headers: mode === 'manual' ? { cookie: MANUAL_COOKIE } : {},
      signal: AbortSignal.timeout(5_000),
    });
    const body = await response.text();
    return {
      status: response.status,
      location: response.headers.get('location'),
      body,
      ms: performance.now() - started,
    };
  }

  before(async () => {
    const linked = join(REPO_ROOT, 'node_modules', 'b2trader.identity.auth');
    if (!existsSync(join(linked, 'package.json')) || !realpathSync(linked).startsWith(join(REPO_ROOT, 'dist'))) {
      throw new Error(
        'e2e: the built library is not linked: `npx ng build identity-auth && node scripts/link-built-package.mjs`',
      );
    }
    rmSync(join(APP, 'dist'), { recursive: true, force: true });
    const started = performance.now();
    try {
      await promisify(execFile)(
        process.execPath,
        [join(REPO_ROOT, 'node_modules', '@angular', 'cli', 'bin', 'ng.js'), 'build'],
        { cwd: APP, env: { ...process.env, NG_CLI_ANALYTICS: 'false' }, maxBuffer: 1 << 24 },
      );
    } catch (error) {
      throw new Error(
        `e2e: ng build of the SSR app failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`.slice(0, 4000),
      );
    }
    buildMs = performance.now() - started;

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    emulator = await startIdentityServer({ port: 0, publicUrl: baseUrl, accessTokenTtl: 30, testControls: true });
    server = spawn(process.execPath, [SERVER_ENTRY], {
      env: { ...process.env, PORT: String(port), IDENTITY_UPSTREAM: emulator.url },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor(async () => (await fetch(baseUrl).catch(() => null))?.ok, { message: 'the SSR server to listen' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.kill();
    await emulator?.close();
  });

  it('builds with route extraction and prerenders the public route signed out', (t) => {
    t.diagnostic(`ng build of the SSR app: ${Math.round(buildMs)} ms`);
    assert.ok(existsSync(join(APP, 'dist', 'ssr', 'browser', 'index.html')), 'no prerendered /');
  });

  it('renders signed-out and redirects the guarded route on the server, in both modes, without a request of its own', async (t) => {
    const before = identityRequests(await readStats(emulator.url));
    for (const mode of MODES) {
      const home = await get('/', mode);
      assert.equal(home.status, 200);
      assert.equal(renderedStatus(home.body), 'signed-out', `/ (${mode})`);

      const signIn = await get('/sign-in', mode);
      assert.equal(signIn.status, 200);
      assert.equal(renderedStatus(signIn.body), 'signed-out', `/sign-in rendered per request (${mode})`);
      assert.match(signIn.body, /ng-server-context="ssr"/);

      const desk = await get('/desk', mode);
      assert.equal(desk.status, 302, `/desk (${mode})`);
      assert.equal(new URL(desk.location, baseUrl).href, `${baseUrl}/sign-in?returnUrl=%2Fdesk`);

      const blotter = await get('/blotter', mode);
      assert.equal(blotter.status, 200);
      assert.equal(renderedStatus(blotter.body), null, '/blotter is rendered in the browser only');
      t.diagnostic(
        `${mode}: /sign-in rendered in ${signIn.ms.toFixed(1)} ms, /desk redirected in ${desk.ms.toFixed(1)} ms`,
      );
    }
    assert.equal(
      identityRequests(await readStats(emulator.url)),
      before,
      'the server sent requests to the identity service',
    );
  });

  for (const mode of MODES) {
    it(`hydrates, signs in, calls the API and restores on reload in Chromium (${mode} restore)`, async (t) => {
      const context = await browser.newContext();
      if (mode === 'manual') {
        const [name, value] = MANUAL_COOKIE.split('=');
        await context.addCookies([{ name, value, url: baseUrl }]);
      }
      await context.addInitScript(recordRenders);
      const page = await context.newPage();
      const problems = [];
      page.on('console', (message) => {
        const favicon = message.location().url?.endsWith('/favicon.ico'); // the app has none
        if (/NG0?5\d\d/.test(message.text()) || (message.type() === 'error' && !favicon)) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      try {
        // The guard's answer on the server: the sign-in page, hydrated in place.
        await page.goto(new URL('/desk', baseUrl).href);
        assert.equal(page.url(), `${baseUrl}/sign-in?returnUrl=%2Fdesk`);
        await page.locator('#status', { hasText: 'signed-out' }).waitFor();

        const statsBefore = await readStats(emulator.url);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${baseUrl}/desk`);
        await page.locator('#account', { hasText: 'trader@example.com' }).waitFor();
        assert.ok(
          await page.evaluate(() => document.getElementById('status') === globalThis.serverStatusNode),
          'the server-rendered #status node was replaced: the app did not hydrate',
        );
        await page.getByRole('button', { name: 'Call the API' }).click();
        await page.locator('#result', { hasText: `account ${ACCOUNT_ID}` }).waitFor();
        const statsAfter = await readStats(emulator.url);
        assert.equal(statsAfter.api.ok - statsBefore.api.ok, 1);
        assert.equal(statsAfter.api.unauthorized - statsBefore.api.unauthorized, 0);

        // A signed-in reload of a route the server renders: its signed-out redirect, then the restore brings the user back.
        const reloadStarted = performance.now();
        await page.reload();
        await page.waitForURL(`${baseUrl}/desk`);
        await page.locator('#status', { hasText: 'signed-in' }).waitFor();
        await page.locator('#page', { hasText: 'desk' }).waitFor();
        // A restore through the identity-session cookie knows the subject, not the email.
        await page.locator('#account', { hasText: /\S/ }).waitFor();
        const deskSeen = await page.evaluate(() => globalThis.rendersSeen);
        t.diagnostic(
          `reload of /desk: ${Math.round(performance.now() - reloadStarted)} ms, showed ${deskSeen.join(' → ')}`,
        );

        // A guarded route rendered in the browser only: a signed-in reload never shows the signed-out page.
        await page.goto(new URL('/blotter', baseUrl).href);
        await page.locator('#status', { hasText: 'signed-in' }).waitFor();
        await page.locator('#page', { hasText: 'desk' }).waitFor();
        assert.equal(page.url(), `${baseUrl}/blotter`);
        const blotterSeen = await page.evaluate(() => globalThis.rendersSeen);
        assert.ok(!blotterSeen.some((shown) => /signed-out|sign-in/.test(shown)), blotterSeen.join(' → '));
        t.diagnostic(`load of /blotter: showed ${blotterSeen.join(' → ')}`);

        assert.deepEqual(problems, [], 'console errors (hydration: NG05xx)');
      } finally {
        await context.close();
      }
    });
  }
});
