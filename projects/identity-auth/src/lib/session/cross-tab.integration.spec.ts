// Integration (real Chromium, the real emulator): four "tabs" — environment
// injectors on one page, sharing its origin, cookies, storage, BroadcastChannel
// and Web Locks as a browser's tabs do — keep one session with one refresher.
import { lastValueFrom } from 'rxjs';

import {
  arm,
  cleanSlate,
  closeAllTabs,
  disarm,
  openTab,
  requireEmulator,
  resetStats,
  revokeGrants,
  shortTokens,
  stats,
  type Tab,
  TOKEN_PATH,
  until,
} from '../testing-support/emulator-tabs';
import { withTokenStore } from '../providers';
import type { IdentityTokenRecord } from './token-record';
import type { IdentityTokenStore } from './token-store';

async function fourTabs(storage: 'memory' | 'session' = 'memory'): Promise<Tab[]> {
  const first = openTab({ storage });
  await first.service.restore();
  await first.login();
  const others = [openTab({ storage }), openTab({ storage }), openTab({ storage })];
  await Promise.all(others.map((tab) => tab.service.restore()));
  return [first, ...others];
}

describe('integration: one session across tabs', () => {
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(closeAllTabs);

  it('new tabs take the session from their peers without a token request', async () => {
    const first = openTab();
    await first.service.restore();
    await first.login();
    await resetStats();
    const others = [openTab(), openTab(), openTab()];
    await Promise.all(others.map((tab) => tab.service.restore()));
    for (const tab of others) {
      expect(tab.service.status()).toBe('signed-in');
      expect(tab.service.session()).toEqual(first.service.session());
    }
    expect((await stats()).tokenRequests).toEqual({});
  });

  it('four tabs: exactly one token request per rotation over five rotations, no invalid_grant', async () => {
    await shortTokens(3);
    const tabs = await fourTabs();
    await resetStats();
    // Followers ask for tokens too, as their requests would.
    const asking = setInterval(() => tabs.forEach((tab) => void tab.service.getAccessToken().catch(() => null)), 200);
    try {
      await until(() => tabs[0].count('refreshed') >= 5, 'five rotations', 20_000);
    } finally {
      clearInterval(asking);
    }
    await until(async () => (await stats()).tokenRequests['refresh_token'] === tabs[0].count('refreshed'), 'stats');
    const figures = await stats();
    expect(figures.tokenRequests['refresh_token']).toBe(tabs[0].count('refreshed'));
    expect(figures.tokenRequests['authorization_code'] ?? 0).toBe(0);
    expect(figures.refreshReuseDetected).toBe(0);
    await until(
      () => tabs.every((tab) => tab.service.session()?.expiresAt === tabs[0].service.session()?.expiresAt),
      'one generation',
    );
    const tokens = await Promise.all(tabs.map((tab) => tab.service.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    tabs.forEach((tab) => expect(tab.count('sessionExpired')).toBe(0));
  });

  it('a follower that asks for a refresh gets the leader one; concurrent askers share it', async () => {
    const tabs = await fourTabs();
    await resetStats();
    const sessions = await Promise.all(tabs.slice(1).map((tab) => lastValueFrom(tab.service.refreshToken())));
    expect(new Set(sessions.map((s) => s.expiresAt)).size).toBe(1);
    expect((await stats()).tokenRequests['refresh_token']).toBe(1);
  });

  it('signing out in one tab signs out all four', async () => {
    const tabs = await fourTabs();
    await lastValueFrom(tabs[2].service.signOut());
    await until(() => tabs.every((tab) => tab.service.status() === 'signed-out'), 'all tabs signed out');
    tabs.forEach((tab) => expect(tab.count('signedOut')).toBe(1));
    // The other tabs end before the service answers: they cannot say it heard.
    expect(tabs[0].events.at(-1)).toEqual(
      jasmine.objectContaining({ type: 'signedOut', origin: 'other-tab', serverNotified: false }),
    );
    expect(tabs[2].events.at(-1)).toEqual(jasmine.objectContaining({ type: 'signedOut', origin: 'this-tab' }));
  });

  it('signing out in a follower while the leader refresh is on the wire: the late answer revives nothing', async () => {
    const tabs = await fourTabs();
    await arm({ path: TOKEN_PATH, mode: 'delay', ms: 1_000, count: 1 });
    await resetStats();
    const leaderRefresh = lastValueFrom(tabs[0].service.refreshToken()).catch(() => null);
    await until(
      async () => ((await stats()).requests[`POST ${TOKEN_PATH}`] ?? 0) >= 1,
      'the leader refresh on the wire',
    );
    await lastValueFrom(tabs[1].service.signOut());
    await leaderRefresh;
    await until(async () => (await stats()).tokenRequests['refresh_token'] === 1, 'the refresh answered');
    tabs.forEach((tab) => {
      expect(tab.service.status()).toBe('signed-out');
      expect(tab.count('signedOut')).toBe(1);
      expect(tab.count('refreshed')).toBe(0);
    });
  });

  it('a revoked grant with the identity session over ends the session once in every tab', async () => {
    const tabs = await fourTabs();
    await revokeGrants(true);
    await expectAsync(lastValueFrom(tabs[3].service.refreshToken())).toBeRejected();
    await until(() => tabs.every((tab) => tab.service.status() === 'signed-out'), 'all tabs signed out');
    tabs.forEach((tab) => expect(tab.count('sessionExpired')).toBe(1));
    expect((await stats()).tokenRequests['refresh_token']).toBe(1);
  });

  it('the leader stops mid-refresh (its injector destroyed while the request is out): the others carry on', async () => {
    await shortTokens(3);
    const tabs = await fourTabs();
    await disarm();
    await arm({ path: TOKEN_PATH, mode: 'delay', ms: 1_500, count: 1 });
    await shortTokens(3);
    await resetStats();
    await until(
      async () => ((await stats()).requests[`POST ${TOKEN_PATH}`] ?? 0) >= 1,
      'the leader refresh on the wire',
    );
    tabs[0].close();
    const survivors = tabs.slice(1);
    const generation = survivors[0].count('refreshed');
    await until(
      () => survivors.every((tab) => tab.count('refreshed') >= generation + 3),
      'three more rotations',
      20_000,
    );
    survivors.forEach((tab) => {
      expect(tab.service.status()).toBe('signed-in');
      expect(tab.count('sessionExpired')).toBe(0);
    });
    const api = await fetch('/api/frontoffice/v1/account', {
      headers: { authorization: `Bearer ${await survivors[1].service.getAccessToken()}` },
    });
    expect(api.status).toBe(200);
  });

  it('a duplicated tab (its sessionStorage copied) never presents its original refresh token', async () => {
    await shortTokens(3);
    const original = openTab({ storage: 'session' });
    await original.service.restore();
    await original.login();
    // The browser copies sessionStorage into the duplicate: a store over that copy.
    const copy = new Map(Object.entries(sessionStorage));
    const key = [...copy.keys()].find((name) => name.startsWith('b2trader.identity.auth'));
    expect(key).toBeDefined();
    const copiedStore: IdentityTokenStore = {
      load: () => (copy.has(key!) ? (JSON.parse(copy.get(key!)!) as IdentityTokenRecord) : null),
      save: (record) => void copy.set(key!, JSON.stringify(record)),
      clear: () => void copy.delete(key!),
    };
    const duplicate = openTab({}, [withTokenStore(copiedStore)]);
    await duplicate.service.restore();
    expect(duplicate.service.session()?.subject).toBe(original.service.session()?.subject);
    await resetStats();
    await until(() => original.count('refreshed') >= 3 && duplicate.count('refreshed') >= 3, 'three rotations', 20_000);
    const figures = await stats();
    expect(figures.refreshReuseDetected).toBe(0);
    expect(figures.tokenRequests['refresh_token']).toBe(original.count('refreshed'));
    expect(duplicate.count('sessionExpired')).toBe(0);
    expect(original.count('sessionExpired')).toBe(0);
  });
});
