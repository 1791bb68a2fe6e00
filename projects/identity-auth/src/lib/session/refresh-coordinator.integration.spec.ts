// Integration against the emulator where the environment has to be steered: the
// platform seam is the real browser except for what a test cannot wait for (a
// machine's sleep: the clock and the heartbeat; a fixed jitter) — each named so.
import { PLATFORM_ID } from '@angular/core';

import {
  BrowserIdentityAuthPlatform,
  type Cancel,
  IdentityAuthPlatform,
  type TabChannel,
  type TabLocks,
} from '../platform/identity-auth-platform';
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
  TOKEN_PATH,
  until,
} from '../testing-support/emulator-tabs';

type Page = Window & typeof globalThis;

/** The browser, with a clock that can jump, heartbeats run by hand, a fixed jitter, and optionally no channel or locks. */
class SteeredPlatform extends BrowserIdentityAuthPlatform {
  offsetMs = 0;
  readonly heartbeats: (() => void)[] = [];
  constructor(
    page: Page = window as Page,
    private readonly options: { isolated?: boolean; noLocks?: boolean; jitter?: number } = {},
    /** Stands in for a hung page: while true, this tab's channel delivers nothing to it. */
    public deaf = false,
  ) {
    super(page, document.baseURI);
  }
  override now(): number {
    return Date.now() + this.offsetMs;
  }
  override random(): number {
    return this.options.jitter ?? super.random();
  }
  override setInterval(callback: () => void): Cancel {
    this.heartbeats.push(callback);
    return () => undefined;
  }
  /** The kinds of the messages this page posted. */
  readonly posted: string[] = [];
  override openChannel(name: string): TabChannel | null {
    const channel = this.options.isolated ? null : super.openChannel(name);
    if (!channel) return null;
    const post = channel.postMessage.bind(channel);
    channel.postMessage = (message: unknown) => {
      this.posted.push((message as { kind: string }).kind);
      post(message);
    };
    // The engine sets onmessage once; the events reach it only while this page is not "hung".
    let listener: TabChannel['onmessage'] = null;
    (channel as BroadcastChannel).addEventListener('message', (event) => {
      if (!this.deaf) listener?.(event);
    });
    Object.defineProperty(channel, 'onmessage', {
      get: () => listener,
      set: (next: TabChannel['onmessage']) => (listener = next),
    });
    return channel;
  }
  override locks(): TabLocks | null {
    return this.options.isolated || this.options.noLocks ? null : super.locks();
  }
}

function steeredTab(platform: SteeredPlatform, config = {}) {
  return openTab(
    config,
    [],
    [
      { provide: PLATFORM_ID, useValue: 'browser' },
      { provide: IdentityAuthPlatform, useValue: platform },
    ],
  );
}

describe('integration: the refresh coordinator in a steered environment', () => {
  const pages: Window[] = [];
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(() => {
    closeAllTabs();
    pages.splice(0).forEach((page) => page.close());
  });

  it('a machine that slept (clock moved on, heartbeat run by hand) refreshes at once on wake', async () => {
    const platform = new SteeredPlatform();
    const tab = steeredTab(platform);
    await tab.service.restore();
    await tab.login();
    await resetStats();
    expect(tab.count('refreshed')).toBe(0);
    // A 30-second token is not due for 22 s; after a minute of sleep it is overdue.
    platform.offsetMs = 60_000;
    platform.heartbeats.forEach((beat) => beat());
    await until(() => tab.count('refreshed') === 1, 'a refresh on wake', 5_000);
    expect((await stats()).tokenRequests['refresh_token']).toBe(1);
  });

  it('back online, a refresh waiting out its backoff (fixed jitter, 1 s time limit) runs at once', async () => {
    const platform = new SteeredPlatform(window as Page, { jitter: 1 });
    await shortTokens(3);
    // A 1-second time limit turns an unanswered refresh into a quick `timeout`.
    const tab = steeredTab(platform, { timeoutMs: 1_000 });
    await tab.service.restore();
    await tab.login();
    await disarm();
    // (Chromium silently retries a POST whose reused connection was dropped, so `drop` would not fail.)
    await arm({ path: TOKEN_PATH, mode: 'hang', count: 3 });
    await shortTokens(3);
    await until(() => tab.count('refreshFailed') === 3, 'three refreshes without an answer', 15_000);
    const last = tab.events.filter((e) => e.type === 'refreshFailed').at(-1) as {
      retryInMs: number;
      transient: boolean;
    };
    expect(last.transient).toBeTrue();
    expect(last.retryInMs).toBe(4_000);
    const online = Date.now();
    window.dispatchEvent(new Event('online'));
    await until(() => tab.count('refreshed') === 1, 'a refresh when back online', 3_000);
    expect(Date.now() - online).toBeLessThan(3_000);
    expect(tab.service.status()).toBe('signed-in');
  });

  it('a lone tab restores without asking for peers; a second tab asks and takes the session from the first', async () => {
    const lone = new SteeredPlatform();
    const first = steeredTab(lone);
    await first.service.restore();
    expect(first.service.status()).toBe('signed-out');
    expect(lone.posted).not.toContain('hello');
    await first.login();
    await resetStats();

    const next = new SteeredPlatform();
    const second = steeredTab(next);
    await second.service.restore();
    expect(next.posted).toContain('hello');
    expect(second.service.status()).toBe('signed-in');
    expect((await stats()).tokenRequests).toEqual({});
  });

  it('a leader that holds the lock but no longer answers (its channel made deaf: a stand-in for a hung page) is taken over by a follower that needs a refresh', async () => {
    // A 1-second time limit: the follower waits 2–3 s for the leader, then takes over.
    const config = { timeoutMs: 1_000 };
    const hung = new SteeredPlatform();
    const leader = steeredTab(hung, config);
    await leader.service.restore();
    await leader.login();
    const follower = steeredTab(new SteeredPlatform(), config);
    await follower.service.restore();
    expect(follower.service.status()).toBe('signed-in');
    await resetStats();

    hung.deaf = true;
    const before = follower.service.session()!.expiresAt;
    const refreshed = await follower.service.refreshToken().toPromise();
    expect(refreshed!.expiresAt).toBeGreaterThan(before);
    const token = await follower.service.getAccessToken();
    const api = await fetch('/api/frontoffice/v1/account', { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    const after = await stats();
    expect(after.tokenRequests).toEqual({ refresh_token: 1 });
    expect(after.refreshReuseDetected).toBe(0);
    expect(follower.count('refreshFailed')).toBe(0);
    // The hung tab lost the lock and queued again; it recovers as a follower of the new leader.
    hung.deaf = false;
    await until(async () => (await follower.service.refreshToken().toPromise()) !== undefined, 'a refresh');
    await until(() => leader.count('refreshed') >= 1, 'the old leader to hear the new leader');
    expect((await stats()).tokenRequests).toEqual({ refresh_token: 2 });
  });

  it('with BroadcastChannel but no Web Locks (no leader election), tabs keep their own tokens: no refresh token presented twice', async () => {
    await shortTokens(2);
    const tabs = [0, 1].map(() => steeredTab(new SteeredPlatform(window as Page, { noLocks: true })));
    await Promise.all(tabs.map((tab) => tab.service.restore()));
    await tabs[0].login();
    await tabs[1].login();
    await resetStats();
    await until(() => tabs.every((tab) => tab.count('refreshed') >= 3), 'three refreshes in each tab', 20_000);
    const figures = await stats();
    expect(figures.refreshReuseDetected).toBe(0);
    expect(tabs.map((tab) => tab.service.status())).toEqual(['signed-in', 'signed-in']);
    expect(tabs.every((tab) => tab.count('sessionExpired') === 0)).toBeTrue();
  });

  it('without BroadcastChannel and Web Locks, pages with a local store share nothing (each its own tokens, none at rest) and a sign-out still reaches every page', async () => {
    const open = () => {
      const page = window.open('', '_blank') as Page | null;
      if (!page) throw new Error('window.open was blocked');
      pages.push(page);
      return steeredTab(new SteeredPlatform(page, { isolated: true }), { storage: 'local' });
    };
    const [first, second] = [open(), open()];
    await Promise.all([first.service.restore(), second.service.restore()]);
    await first.login();
    await second.login();
    expect(second.service.session()?.subject).toBe(first.service.session()?.subject);
    expect(await first.service.getAccessToken()).not.toBe(await second.service.getAccessToken());
    // Nothing another page could read back and present: no token record in localStorage.
    expect(
      Object.keys(localStorage).filter((key) => !/:signed-(out|in|out-at)$/.test(key) && key.startsWith('b2trader')),
    ).toEqual([]);
    await first.service.signOut().toPromise();
    await until(() => second.service.status() === 'signed-out', 'the second page to see the sign-out');
    // (its own delivery may settle the sign-out and report signOutConfirmed after it)
    expect(second.events.filter((event) => event.type === 'signedOut')).toEqual([
      jasmine.objectContaining({ type: 'signedOut', origin: 'other-tab' }),
    ]);
  });
});
