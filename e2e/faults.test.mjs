// The identity service misbehaving under a signed-in demo: a token endpoint that fails
// for a while, and a session revoked at the server with no identity session left.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchBrowser } from './support/browser.mjs';
import { startDemoStack } from './support/demo-stack.mjs';
import { activityCount, numberShown, signIn, waitForDesk, waitForSignInPage } from './support/demo-page.mjs';
import { armFault, readStats, refreshRequests, revokeTraderGrants } from './support/emulator-controls.mjs';
import { waitFor } from './support/wait-for.mjs';

const TTL_S = 4;
const TTL_MS = TTL_S * 1000;

describe('demo: identity-service faults (4 s tokens)', () => {
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

  it('keeps the session while the token endpoint answers 502 three times, then refreshes and calls the API again', async (t) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, stack.url);
    const before = await readStats(stack.url);
    await armFault(stack.url, { path: '/identity/connect/token', mode: 'html', status: 502, count: 3, method: 'POST' });

    await waitFor(async () => (await activityCount(page, 'refreshFailed')) >= 3, {
      timeoutMs: 6 * TTL_MS,
      message: 'three failed refreshes',
    });
    const refreshedBefore = await numberShown(page, 'refresh-count');
    await waitFor(async () => (await numberShown(page, 'refresh-count')) > refreshedBefore, {
      timeoutMs: 4 * TTL_MS,
      message: 'a refresh after the outage',
    });
    const okAfterRecovery = await numberShown(page, 'api-ok');
    await waitFor(async () => (await numberShown(page, 'api-ok')) > okAfterRecovery, {
      timeoutMs: TTL_MS,
      message: 'an API call after the outage',
    });

    assert.equal(await waitForDesk(page), 'trader@example.com');
    assert.equal(await activityCount(page, 'sessionExpired'), 0);
    assert.equal(await activityCount(page, 'signedOut'), 0);
    const stats = await readStats(stack.url);
    assert.equal(stats.faultsApplied - before.faultsApplied, 3);
    assert.equal(stats.refreshReuseDetected, 0);
    t.diagnostic(`API calls that failed in the app during the outage: ${await numberShown(page, 'api-failed')}`);
    await context.close();
  });

  it('says "session expired" once in each of two tabs when the grant is revoked and no identity session is left', async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await signIn(first, stack.url);
    const second = await context.newPage();
    await second.goto(`${stack.url}/desk`);
    await waitForDesk(second);

    // no identity session in the browser, no grant at the server
    await context.clearCookies();
    await revokeTraderGrants(stack.url);
    const before = await readStats(stack.url);

    for (const page of [first, second]) await waitForSignInPage(page, 3 * TTL_MS);
    const after = await readStats(stack.url);
    for (const page of [first, second]) {
      assert.equal(
        await page.getByTestId('notice').textContent(),
        'Your session has expired. Sign in again to continue.',
      );
      assert.equal(await activityCount(page, 'sessionExpired'), 1);
      assert.equal(await activityCount(page, 'signedOut'), 0);
    }
    assert.equal(refreshRequests(after) - refreshRequests(before), 1, 'one refresh attempt for both tabs');
    assert.equal(
      (after.requests['GET /identity/connect/authorize'] ?? 0) -
        (before.requests['GET /identity/connect/authorize'] ?? 0),
      1,
      'one silent authorize for both tabs',
    );
    // the expired tab wants the desk back after signing in
    assert.equal(new URL(first.url()).searchParams.get('returnUrl'), '/desk');
    await context.close();
  });
});
