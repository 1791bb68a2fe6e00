// Tabs: K tabs of one origin poll the API for several token lifetimes; refresh requests per rotation, and
// the time a sign-out in one tab takes to reach every tab.
import { round } from './stats.mjs';
import { callHarness, openHarness, waitForSeen } from './test-bed.mjs';

const seen = (page) => callHarness(page, 'seen');

export async function measureTabs(browser, bed, { counts, accessTokenTtl, lifetimes, pollEveryMs }) {
  const rows = [];
  for (const k of counts) {
    const context = await browser.newContext();
    try {
      const first = await openHarness(context, bed.origin);
      await callHarness(first, 'login');
      const tabs = [first];
      for (let i = 1; i < k; i++) tabs.push(await openHarness(context, bed.origin));
      for (const tab of tabs) {
        await waitForSeen(tab, 'status', '===', 'signed-in');
      }
      await bed.resetStats();
      const before = await Promise.all(tabs.map(seen));
      const polls = await Promise.all(
        tabs.map((tab) => callHarness(tab, 'poll', accessTokenTtl * lifetimes * 1000, pollEveryMs)),
      );
      const stats = await bed.stats();
      const after = await Promise.all(tabs.map(seen));
      // every tab hears of every rotation; the most any tab counted is the number of rotations
      const rotations = Math.max(...after.map((s, i) => s.refreshed - before[i].refreshed));
      const refreshRequests = stats.tokenRequests.refresh_token ?? 0;

      const signOutStarted = await first.evaluate('Date.now()');
      await callHarness(first, 'logout');
      for (const tab of tabs) {
        await waitForSeen(tab, 'signedOutAt', '>', 0);
      }
      const reached = (await Promise.all(tabs.map(seen))).map((s) => s.signedOutAt);
      rows.push({
        tabs: k,
        seconds: accessTokenTtl * lifetimes,
        rotations,
        refreshRequests,
        refreshRequestsPerRotation: rotations ? round(refreshRequests / rotations) : null,
        apiRequestsOk: polls.reduce((n, p) => n + p.ok, 0),
        apiRequestsFailed: polls.reduce((n, p) => n + p.failed, 0),
        answered401: stats.api.unauthorized,
        signOutReachedAllMs: Math.max(...reached) - signOutStarted,
      });
    } finally {
      await context.close();
    }
  }
  return rows;
}
