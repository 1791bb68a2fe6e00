// Refresh storm: N requests at once meet an expired access token. The page's JavaScript is paused (Chromium's
// debugger, as a sleeping laptop stops it) until the token has expired, then resumed and hit with the burst.
import { setTimeout as sleep } from 'node:timers/promises';

import { round } from './stats.mjs';
import { callHarness, openHarness } from './test-bed.mjs';

export async function measureStorm(browser, bed, { sizes, accessTokenTtl }) {
  const rows = [];
  for (const n of sizes) {
    const context = await browser.newContext();
    try {
      const page = await openHarness(context, bed.origin);
      await callHarness(page, 'login');
      const cdp = await context.newCDPSession(page);
      await cdp.send('Debugger.enable');
      await cdp.send('Debugger.pause');
      await bed.resetStats();
      // waiting out the token is the point of this step: no condition to poll while the page is frozen
      await sleep(accessTokenTtl * 1000 + 1000);
      const whileFrozen = await bed.stats();
      await bed.resetStats();
      await cdp.send('Debugger.resume');
      await cdp.send('Debugger.disable');
      const expired = await callHarness(page, 'burst', n);
      const stats = await bed.stats();
      // the same burst again with the fresh token: the latency the storm is compared with
      const valid = await callHarness(page, 'burst', n);
      rows.push({
        n,
        requestsWhilePaused: Object.values(whileFrozen.requests).reduce((a, b) => a + b, 0),
        tokenRequests: Object.values(stats.tokenRequests).reduce((a, b) => a + b, 0),
        succeeded: expired.ok,
        answered401: stats.api.unauthorized,
        validP50Ms: round(valid.p50, 1),
        validP99Ms: round(valid.p99, 1),
        addedP50Ms: round(expired.p50 - valid.p50, 1),
        addedP99Ms: round(expired.p99 - valid.p99, 1),
      });
    } finally {
      await context.close();
    }
  }
  return rows;
}
