// Steady state: one signed-in tab keeps calling the API for minutes while tokens rotate; 401 answers counted.
import { callHarness, openHarness } from './test-bed.mjs';

export async function measureSteadyState(browser, bed, { seconds, accessTokenTtl, pollEveryMs }) {
  const context = await browser.newContext();
  try {
    const page = await openHarness(context, bed.origin);
    await callHarness(page, 'login');
    await bed.resetStats();
    const before = await callHarness(page, 'seen');
    const poll = await callHarness(page, 'poll', seconds * 1000, pollEveryMs);
    const after = await callHarness(page, 'seen');
    const stats = await bed.stats();
    return {
      seconds,
      accessTokenTtl,
      apiRequests: poll.ok + poll.failed,
      failed: poll.failed,
      answered401: stats.api.unauthorized,
      refreshes: after.refreshed - before.refreshed,
      refreshRequests: stats.tokenRequests.refresh_token ?? 0,
    };
  } finally {
    await context.close();
  }
}
