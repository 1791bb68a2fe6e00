// Fault matrix, cases 27, 28 and 35: several tabs of one origin (each an injector of
// its own on this page, sharing storage, BroadcastChannel and Web Locks as tabs do).
import { lastValueFrom } from 'rxjs';

import {
  arm,
  cleanSlate,
  closeAllTabs,
  disarm,
  openTab,
  requireEmulator,
  resetStats,
  shortTokens,
  stats,
  type Tab,
  TOKEN_PATH,
  until,
} from '../../projects/identity-auth/src/lib/testing-support/emulator-tabs';
import { FRONT_OFFICE, matrixCase } from './matrix';

async function fourTabs(): Promise<Tab[]> {
  const first = openTab();
  await first.service.restore();
  await first.login();
  const others = [openTab(), openTab(), openTab()];
  await Promise.all(others.map((tab) => tab.service.restore()));
  return [first, ...others];
}

describe('fault matrix: tabs (27, 28, 35)', () => {
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(closeAllTabs);

  matrixCase(
    '27',
    'four tabs need a refresh at once, and over four rotations of 3-second tokens',
    'exactly one token request per rotation across all tabs; the others adopt its result',
    async (observe) => {
      const tabs = await fourTabs();
      await resetStats();
      const together = await Promise.all(tabs.map((tab) => lastValueFrom(tab.service.refreshToken())));
      const atOnce = (await stats()).tokenRequests['refresh_token'] ?? 0;
      observe(
        `4 tabs call refreshToken() together: ${atOnce} token request, ${new Set(together.map((s) => s.expiresAt)).size} result`,
      );
      expect(atOnce).toBe(1);
      await shortTokens(3);
      await lastValueFrom(tabs[0].service.refreshToken());
      await resetStats();
      const start = tabs[0].count('refreshed');
      const asking = setInterval(() => tabs.forEach((tab) => void tab.service.getAccessToken().catch(() => null)), 200);
      try {
        await until(() => tabs[0].count('refreshed') >= start + 4, 'four rotations', 20_000);
      } finally {
        clearInterval(asking);
      }
      const rotations = tabs[0].count('refreshed') - start;
      await until(async () => ((await stats()).tokenRequests['refresh_token'] ?? 0) >= rotations, 'the counters');
      const figures = await stats();
      observe(
        `${rotations} rotations: ${figures.tokenRequests['refresh_token']} refresh requests, reuse detected ` +
          `${figures.refreshReuseDetected}, sessionExpired ${tabs.reduce((n, tab) => n + tab.count('sessionExpired'), 0)}`,
      );
      expect(figures.tokenRequests['refresh_token']).toBe(rotations);
      expect(figures.refreshReuseDetected).toBe(0);
    },
  );

  matrixCase('28', 'sign-out in one of four tabs', 'every tab signed out', async (observe) => {
    const tabs = await fourTabs();
    await lastValueFrom(tabs[2].service.signOut());
    await until(() => tabs.every((tab) => tab.service.status() === 'signed-out'), 'all tabs signed out');
    const tokens = await Promise.all(tabs.map((tab) => tab.service.getAccessToken()));
    observe(
      `statuses ${tabs.map((tab) => tab.service.status()).join(', ')}; signedOut events ` +
        `${tabs.map((tab) => tab.count('signedOut')).join('/')}; tokens left ${tokens.filter(Boolean).length}`,
    );
    tabs.forEach((tab) => expect(tab.count('signedOut')).toBe(1));
    expect(tokens.filter(Boolean).length).toBe(0);
  });

  matrixCase(
    '35',
    'a tab closed in the middle of a refresh (the leader injector destroyed while its request is out)',
    'the other tabs carry on: no forced sign-out (a rotation lost with the tab is healed with the identity cookie), a working token',
    async (observe) => {
      await shortTokens(3);
      const tabs = await fourTabs();
      await disarm();
      await arm({ path: TOKEN_PATH, mode: 'delay', ms: 1_500, count: 1 });
      await shortTokens(3);
      await resetStats();
      await until(async () => ((await stats()).requests[`POST ${TOKEN_PATH}`] ?? 0) >= 1, 'the refresh on the wire');
      tabs[0].close();
      const survivors = tabs.slice(1);
      const start = survivors[0].count('refreshed');
      await until(() => survivors.every((tab) => tab.count('refreshed') >= start + 2), 'two more rotations', 20_000);
      const api = await fetch(FRONT_OFFICE, {
        headers: { authorization: `Bearer ${await survivors[1].service.getAccessToken()}` },
      });
      const figures = await stats();
      observe(
        `survivors ${survivors.map((tab) => tab.service.status()).join(', ')}; rotations after the close ` +
          `${survivors[0].count('refreshed') - start}; reuse detected ${figures.refreshReuseDetected}, silent code ` +
          `exchanges ${figures.tokenRequests['authorization_code'] ?? 0}; ` +
          `sessionExpired ${survivors.reduce((n, tab) => n + tab.count('sessionExpired'), 0)}; API with their token HTTP ${api.status}`,
      );
      survivors.forEach((tab) => expect(tab.service.status()).toBe('signed-in'));
      survivors.forEach((tab) => expect(tab.count('sessionExpired')).toBe(0));
      expect(api.status).toBe(200);
    },
  );
});
