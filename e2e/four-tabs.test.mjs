// Four tabs of one browser context, all polling the API over short token lifetimes:
// one token request per rotation, the leader's tab closed, and a sign-out that ends all.
// Functions passed to page.evaluate() run in the tab:
/* global document, window, MutationObserver */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchBrowser } from './support/browser.mjs';
import { startDemoStack } from './support/demo-stack.mjs';
import {
  activityCount,
  collectPageErrors,
  numberShown,
  signIn,
  waitForDesk,
  waitForSignInPage,
} from './support/demo-page.mjs';
import { readStats, refreshRequests } from './support/emulator-controls.mjs';
import { waitFor } from './support/wait-for.mjs';

const TTL_S = 4;
const TTL_MS = TTL_S * 1000;
const TABS = 4;

const timeline = [];
/** Every token-endpoint request and answer, by the tab that sent it. */
function watchTokenRequests(page, tab, log) {
  page.on('request', (request) => {
    if (request.url().includes('/identity/'))
      timeline.push([tab, `> ${request.method()} ${new URL(request.url()).pathname}`, Date.now()]);
  });
  page.on('response', async (response) => {
    if (response.url().includes('/identity/'))
      timeline.push([tab, `< ${response.status()} ${new URL(response.url()).pathname}`, Date.now()]);
    if (!response.url().endsWith('/identity/connect/token')) return;
    const grantType = new URLSearchParams(response.request().postData() ?? '').get('grant_type');
    const body = response.status() === 200 ? undefined : await response.text().catch(() => '');
    log.push({ tab, grantType, status: response.status(), body, at: Date.now() });
  });
}

/** In the page: records when the sign-in form appears, as `window.signInFormSeenAt`. */
function watchForSignInForm() {
  const seen = () => document.querySelector('form[aria-label="Sign in"]');
  const observer = new MutationObserver(() => {
    if (!seen()) return;
    window.signInFormSeenAt = Date.now();
    observer.disconnect();
  });
  observer.observe(document.body, { childList: true, subtree: true });
}

/** Waits until every open tab shows the same number of refreshes as the server counted since `base`. */
async function agreedRotations(url, tabs, base) {
  return waitFor(
    async () => {
      const first = refreshRequests(await readStats(url)) - base.server;
      const shown = await Promise.all(
        tabs.map(({ page, index }) => numberShown(page, 'refresh-count').then((n) => n - base.tabs[index])),
      );
      const last = refreshRequests(await readStats(url)) - base.server;
      return first === last && shown.every((n) => n === first) && first;
    },
    { timeoutMs: 2 * TTL_MS, message: 'every tab seeing each rotation the server counted' },
  );
}

async function baseline(url, tabs) {
  const tabsCount = {};
  for (const { page, index } of tabs) tabsCount[index] = await numberShown(page, 'refresh-count');
  return { server: refreshRequests(await readStats(url)), tabs: tabsCount };
}

async function nothingWentWrong(tabs) {
  for (const { page, index } of tabs) {
    assert.equal(await numberShown(page, 'api-failed'), 0, `tab ${index}: API calls failed`);
    assert.equal(await activityCount(page, 'signedOut'), 0, `tab ${index} signed out`);
    assert.equal(await activityCount(page, 'sessionExpired'), 0, `tab ${index}: the session expired`);
    assert.equal(await activityCount(page, 'refreshFailed'), 0, `tab ${index}: a refresh failed`);
    assert.equal(new URL(page.url()).pathname, '/desk');
  }
}

describe('demo: four tabs of one browser (4 s tokens, every tab polling)', () => {
  let stack;
  let browser;
  before(async () => {
    stack = await startDemoStack({ accessTokenTtl: TTL_S, pollMs: 500 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('rotates once per lifetime for all four; survives the leader tab closing; one sign-out ends all four within a second', async (t) => {
    const context = await browser.newContext();
    const tokenLog = [];
    const tabs = [];
    for (let index = 0; index < TABS; index++) {
      const page = await context.newPage();
      watchTokenRequests(page, index, tokenLog);
      tabs.push({ page, index, errors: collectPageErrors(page) });
    }
    await signIn(tabs[0].page, stack.url);
    for (const { page } of tabs.slice(1)) {
      await page.goto(`${stack.url}/desk`);
      await waitForDesk(page);
    }

    // three lifetimes with four tabs
    let base = await baseline(stack.url, tabs);
    const started = Date.now();
    await waitFor(() => Date.now() - started >= 3 * TTL_MS, { timeoutMs: 4 * TTL_MS, message: 'three lifetimes' });
    const rotations = await agreedRotations(stack.url, tabs, base);
    const elapsed = Date.now() - started;
    // refreshed at 3 s of 4: at least once per lifetime, never more than once per token
    assert.ok(rotations >= 3, `${rotations} rotations in ${elapsed} ms`);
    assert.ok(rotations <= Math.floor(elapsed / (0.75 * TTL_MS)) + 1, `${rotations} rotations in ${elapsed} ms`);
    await nothingWentWrong(tabs);

    // the tab that refreshed last is the leader: close it
    const refreshes = tokenLog.filter((entry) => entry.grantType === 'refresh_token');
    const leader = refreshes.at(-1).tab;
    assert.ok(
      refreshes.every((entry) => entry.tab === leader),
      `refreshes came from tabs ${[...new Set(refreshes.map((e) => e.tab))]}`,
    );
    await tabs[leader].page.close();
    const left = tabs.filter(({ index }) => index !== leader);
    base = await baseline(stack.url, left);
    const closedAt = Date.now();
    await waitFor(() => Date.now() - closedAt >= 2 * TTL_MS, { timeoutMs: 3 * TTL_MS, message: 'two lifetimes' });
    const later = await agreedRotations(stack.url, left, base);
    assert.ok(later >= 2, `${later} rotations in two lifetimes after the leader closed`);
    await nothingWentWrong(left);
    const refreshersAfter = new Set(
      tokenLog.filter((e) => e.grantType === 'refresh_token' && e.at >= closedAt).map((e) => e.tab),
    );
    assert.equal(refreshersAfter.size, 1, `refreshes after the close came from tabs ${[...refreshersAfter]}`);
    assert.ok(!refreshersAfter.has(leader), 'the closed tab refreshed');

    // nothing refused, nothing reused
    assert.deepEqual(
      tokenLog.filter((entry) => entry.status !== 200),
      [],
      'token requests that failed',
    );
    assert.equal((await readStats(stack.url)).refreshReuseDetected, 0);

    // a fourth tab again, signed in by its peers under the new leader
    const replacement = { page: await context.newPage(), index: TABS };
    watchTokenRequests(replacement.page, replacement.index, tokenLog);
    await replacement.page.goto(`${stack.url}/desk`);
    await waitForDesk(replacement.page);
    const four = [...left, replacement];
    assert.equal(four.length, TABS);

    // sign out in one tab: all four signed out within a second
    // each tab notes (on the machine's one clock) when its sign-in form appears, and the
    // clicking tab when the click reached it: Playwright's own steps before a click do not count
    for (const { page } of four) await page.evaluate(watchForSignInForm);
    await four[1].page.evaluate(() =>
      document.addEventListener('click', () => (window.clickedAt ??= Date.now()), { capture: true }),
    );
    await four[1].page.getByTestId('sign-out').click();
    const seenAt = await waitFor(
      async () => {
        const times = await Promise.all(four.map(({ page }) => page.evaluate(() => window.signInFormSeenAt)));
        return times.every(Boolean) && times;
      },
      { timeoutMs: 5000, message: 'every tab showing the sign-in page' },
    );
    const clicked = await four[1].page.evaluate(() => window.clickedAt);
    const signedOutIn = Math.max(...seenAt) - clicked;
    assert.ok(
      signedOutIn <= 1000,
      `the tabs showed the sign-in page ${seenAt.map((at) => at - clicked)} ms after the click; ${JSON.stringify(timeline.filter((e) => e[2] >= clicked - 1000).map(([tab, what, at]) => [tab, what, at - clicked]))}`,
    );
    for (const { page } of four) assert.equal(await activityCount(page, 'signedOut'), 1);
    assert.deepEqual(
      tabs.flatMap(({ errors }) => errors),
      [],
      'uncaught errors in the tabs',
    );

    const late = await context.newPage();
    await late.goto(`${stack.url}/desk`);
    await waitForSignInPage(late);
    assert.equal(new URL(late.url()).pathname, '/sign-in');
    t.diagnostic(
      `${rotations} + ${later} rotations; leader tab ${leader} closed, then tab ${[...refreshersAfter]} refreshed; all tabs signed out in ${signedOutIn} ms`,
    );
    await context.close();
  });
});
