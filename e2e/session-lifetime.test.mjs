// A signed-in page over many short token lifetimes, a reload, and a second tab:
// the API never sees the app without a valid token, and no password is asked again.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchBrowser } from './support/browser.mjs';
import { REPO_ROOT, startDemoStack } from './support/demo-stack.mjs';
import { activityCount, collectPageErrors, numberShown, signIn, waitForDesk } from './support/demo-page.mjs';
import { readStats, refreshRequests, resetStats } from './support/emulator-controls.mjs';
import { waitFor } from './support/wait-for.mjs';

const TTL_S = 4;
const TTL_MS = TTL_S * 1000;
// After a silent authorize the session knows the account by its subject only.
const TRADER_SHOWN = /^(?:trader@example\.com|10e3bfcf-56f7-421d-84ea-1700209ae121)$/;

function signIns(stats) {
  return stats.requests['POST /identity/sign-in'] ?? 0;
}

function codeExchanges(stats) {
  return stats.tokenRequests.authorization_code ?? 0;
}

describe('demo: a session over many token lifetimes (4 s tokens)', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  describe('memory storage', () => {
    let stack;
    before(async () => {
      stack = await startDemoStack({ accessTokenTtl: TTL_S, storage: 'memory', pollMs: 400 });
    });
    after(async () => {
      await stack?.close();
    });

    it('polls the API across five lifetimes: no 401 reaches the app, one refresh per lifetime, one request per refresh', async (t) => {
      const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
      const page = await context.newPage();
      const pageErrors = collectPageErrors(page);
      await resetStats(stack.url);
      const started = Date.now();
      await signIn(page, stack.url);
      await waitFor(() => Date.now() - started >= 5 * TTL_MS, { timeoutMs: 6 * TTL_MS, message: 'five lifetimes' });

      // the tab's count and the server's, bracketed: a refresh may land between the reads
      const {
        before: sent,
        shown,
        after: sentAfter,
      } = await waitFor(
        async () => {
          const first = refreshRequests(await readStats(stack.url));
          const count = await numberShown(page, 'refresh-count');
          const last = refreshRequests(await readStats(stack.url));
          return first === last && count === first && { before: first, shown: count, after: last };
        },
        { timeoutMs: TTL_MS, message: 'the tab and the server agreeing on the refresh count' },
      );
      const elapsed = Date.now() - started;
      assert.equal(shown, sent);
      assert.equal(sentAfter, sent);
      // refreshed at 3 s of 4: at least once per lifetime, never more than once per token
      assert.ok(sent >= Math.floor(elapsed / TTL_MS), `${sent} refreshes in ${elapsed} ms`);
      assert.ok(sent <= Math.floor(elapsed / (0.75 * TTL_MS)) + 1, `${sent} refreshes in ${elapsed} ms`);

      assert.equal(await numberShown(page, 'api-failed'), 0, 'API calls failed in the app');
      assert.equal(await numberShown(page, 'api-401'), 0);
      assert.ok((await numberShown(page, 'api-ok')) >= (5 * TTL_MS) / 400 / 2, 'the panel polled');
      const stats = await readStats(stack.url);
      assert.equal(stats.refreshReuseDetected, 0);
      const screenshots = join(REPO_ROOT, 'e2e', 'out', 'screenshots');
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: join(screenshots, 'desk.png') });
      t.diagnostic(`${sent} refreshes in ${elapsed} ms; the API answered ${JSON.stringify(stats.api)}`);
      assert.equal(await activityCount(page, 'sessionExpired'), 0);
      assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
      await context.close();
    });

    it('keeps the session over a reload through the identity session, without the password', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, stack.url);
      const before = await readStats(stack.url);
      await page.reload();
      assert.match(await waitForDesk(page), TRADER_SHOWN);
      await page.getByTestId('activity').locator('[data-type="signedIn"]').waitFor();
      assert.match(await page.getByTestId('activity').textContent(), /Session restored/);
      const after = await readStats(stack.url);
      assert.equal(signIns(after), signIns(before), 'the password was sent again');
      assert.equal(codeExchanges(after), codeExchanges(before) + 1, 'memory storage restores by a silent authorize');
      await context.close();
    });

    it('signs a new tab in from the open one, without the password', async () => {
      const context = await browser.newContext();
      const first = await context.newPage();
      await signIn(first, stack.url);
      const before = await readStats(stack.url);
      const second = await context.newPage();
      await second.goto(`${stack.url}/desk`);
      assert.equal(await waitForDesk(second), 'trader@example.com');
      assert.equal(new URL(second.url()).pathname, '/desk');
      const after = await readStats(stack.url);
      assert.equal(signIns(after), signIns(before), 'the password was sent again');
      assert.equal(codeExchanges(after), codeExchanges(before), 'the new tab did not take the tokens from its peer');
      await context.close();
    });
  });

  describe('local storage', () => {
    let stack;
    before(async () => {
      stack = await startDemoStack({ accessTokenTtl: TTL_S, storage: 'local' });
    });
    after(async () => {
      await stack?.close();
    });

    it('keeps the session over a reload from the stored tokens, without the password or an authorize', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, stack.url);
      const before = await readStats(stack.url);
      await page.reload();
      assert.equal(await waitForDesk(page), 'trader@example.com');
      await page.getByTestId('api-account').waitFor();
      const after = await readStats(stack.url);
      assert.equal(signIns(after), signIns(before));
      assert.equal(codeExchanges(after), codeExchanges(before), 'local storage needs no code exchange');
      await context.close();
    });
  });
});
