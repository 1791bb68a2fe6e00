// Integration with real pages: same-origin windows opened with window.open in the
// one Chromium context. Each engine uses its own page's BroadcastChannel, Web Locks,
// sessionStorage and timers (its code runs in the opener's realm: Karma serves one
// bundle). Closing a page really releases its leader lock.
import { PLATFORM_ID } from '@angular/core';

import { BrowserIdentityAuthPlatform, IdentityAuthPlatform } from '../platform/identity-auth-platform';
import {
  cleanSlate,
  closeAllTabs,
  openTab,
  requireEmulator,
  resetStats,
  shortTokens,
  stats,
  type Tab,
  until,
} from '../testing-support/emulator-tabs';

describe('integration: real pages opened with window.open', () => {
  const pages: Window[] = [];
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(() => {
    closeAllTabs();
    pages.splice(0).forEach((page) => page.close());
  });

  function openPage(): Tab {
    const page = window.open('', '_blank') as (Window & typeof globalThis) | null;
    if (!page) throw new Error('window.open was blocked');
    pages.push(page);
    return openTab(
      {},
      [],
      [
        { provide: PLATFORM_ID, useValue: 'browser' },
        { provide: IdentityAuthPlatform, useValue: new BrowserIdentityAuthPlatform(page, document.baseURI) },
      ],
    );
  }

  it('three pages: one token request per rotation, and one more leader after the leader page closes', async () => {
    await shortTokens(3);
    const first = openPage();
    await first.service.restore();
    await first.login();
    const others = [openPage(), openPage()];
    await Promise.all(others.map((tab) => tab.service.restore()));
    others.forEach((tab) => expect(tab.service.status()).toBe('signed-in'));
    await resetStats();

    await until(() => first.count('refreshed') >= 5, 'five rotations', 20_000);
    await until(async () => (await stats()).tokenRequests['refresh_token'] === first.count('refreshed'), 'stats');
    let figures = await stats();
    expect(figures.tokenRequests['refresh_token']).toBe(first.count('refreshed'));
    expect(figures.refreshReuseDetected).toBe(0);
    await until(() => others.every((tab) => tab.count('refreshed') >= 5), 'the others adopt each rotation');

    // The leader page goes away: the browser releases its lock, another page leads.
    pages[0].close();
    const seen = others[0].count('refreshed');
    await resetStats();
    await until(
      () => others.every((tab) => tab.count('refreshed') >= seen + 3),
      'three rotations under a new leader',
      20_000,
    );
    figures = await stats();
    const rotations = others[0].count('refreshed') - seen;
    // Allow one silent re-authorize if the old leader died with a refresh on the wire.
    expect(
      figures.tokenRequests['refresh_token'] + (figures.tokenRequests['authorization_code'] ?? 0),
    ).toBeLessThanOrEqual(rotations + 1);
    others.forEach((tab) => {
      expect(tab.service.status()).toBe('signed-in');
      expect(tab.count('sessionExpired')).toBe(0);
    });
  });
});
