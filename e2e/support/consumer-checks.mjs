// What a consumer app (e2e/consumer-app, built by whichever Angular the caller installs)
// must do in Chromium: become stable, sign in, stay idle without rendering, call the API.
import assert from 'node:assert/strict';

import { readStats, refreshRequests } from './emulator-controls.mjs';
import { waitFor } from './wait-for.mjs';

/** The library's heartbeat period (refresh-coordinator.ts): the idle window spans two of them. */
export const HEARTBEAT_MS = 5_000;
/** How long after sign-in the app must be stable: Angular's own wait is over by then. */
export const STABLE_WITHIN_MS = 2_000;

/** @param {import('playwright-core').Page} page */
function readProbe(page) {
  return page.evaluate(() => globalThis.consumerProbe ?? null);
}

/**
 * Polls the app's probe until `ApplicationRef.isStable` is true, for at most `withinMs`.
 * @param {import('playwright-core').Page} page
 * @param {string} when what just happened, for the failure message
 */
export async function expectStable(page, when, withinMs = STABLE_WITHIN_MS) {
  const started = Date.now();
  await waitFor(async () => (await readProbe(page))?.stable === true, {
    timeoutMs: withinMs,
    intervalMs: 50,
    message: `the app is not stable within ${withinMs} ms of ${when}`,
  });
  return Date.now() - started;
}

/**
 * Sign-in in the page, a stable app within {@link STABLE_WITHIN_MS}, no change-detection
 * pass over an idle window of two heartbeats, then one API call answered with the token.
 *
 * @param {object} options
 * @param {import('playwright-core').Browser} options.browser
 * @param {string} options.baseUrl the app's origin (the emulator's test controls are behind it)
 * @param {number} [options.idleMs] the idle window (default: two heartbeats and a margin)
 * @returns {Promise<{ stableAfterLoadMs: number, stableAfterSignInMs: number, idleRenders: number }>}
 */
export async function checkConsumerApp({ browser, baseUrl, idleMs = 2 * HEARTBEAT_MS + 1_000 }) {
  const page = await browser.newPage();
  try {
    await page.goto(baseUrl);
    await page.locator('#status', { hasText: 'signed-out' }).waitFor();
    const stableAfterLoadMs = await expectStable(page, 'the first render');

    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#account', { hasText: 'trader@example.com' }).waitFor();
    const stableAfterSignInMs = await expectStable(page, 'sign-in');

    // The window itself is what is measured: nothing happens in it but the library's heartbeats.
    const statsBefore = await readStats(baseUrl);
    const rendersBefore = (await readProbe(page)).renders;
    await page.waitForTimeout(idleMs);
    const probe = await readProbe(page);
    const statsAfter = await readStats(baseUrl);
    assert.equal(refreshRequests(statsAfter), refreshRequests(statsBefore), 'a refresh ran in the idle window');
    assert.equal(statsAfter.api.ok, statsBefore.api.ok, 'an API call ran in the idle window');
    const idleRenders = probe.renders - rendersBefore;
    assert.equal(idleRenders, 0, `${idleRenders} change-detection passes in ${idleMs} ms of idling`);
    assert.equal(probe.stable, true, 'the app became unstable while idle');

    await page.getByRole('button', { name: 'Call the API' }).click();
    await page.locator('#result', { hasText: /^account / }).waitFor();
    assert.equal(await page.locator('#result').textContent(), 'account 10e3bfcf-56f7-421d-84ea-1700209ae121');
    const statsAfterCall = await readStats(baseUrl);
    assert.equal(statsAfterCall.api.ok - statsAfter.api.ok, 1);
    assert.equal(
      statsAfterCall.api.unauthorized - statsAfter.api.unauthorized,
      0,
      'the request went out without the token',
    );
    await expectStable(page, 'the API answer');
    return { stableAfterLoadMs, stableAfterSignInMs, idleRenders };
  } finally {
    await page.close();
  }
}
