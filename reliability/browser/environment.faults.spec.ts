// Fault matrix, cases 31–36: the machine and the browser misbehave — sleep,
// a clock that jumps, a store with garbage in it, a storage that throws, an outage of
// a minute. The platform seam (clock, timers, storage) is steered where a real part
// cannot be; each case's name says what is fake.
import { IdentityAuth } from 'b2trader.identity.auth/core';
import { lastValueFrom } from 'rxjs';

import {
  BrowserIdentityAuthPlatform,
  type Cancel,
} from '../../projects/identity-auth/src/lib/platform/identity-auth-platform';
import {
  arm,
  cleanSlate,
  closeAllTabs,
  disarm,
  openTab,
  requireEmulator,
  resetStats,
  stats,
  TOKEN_PATH,
  TRADER,
  until,
} from '../../projects/identity-auth/src/lib/testing-support/emulator-tabs';
import { describeError, FRONT_OFFICE, matrixCase, outcome, steeredTab, storedKeys } from './matrix';

type Page = Window & typeof globalThis;

/**
 * The browser, with a clock that can be moved (`offsetMs`) or run `scale` times faster
 * (timers shortened to match), heartbeats run by hand when `manualHeartbeat`, and
 * storage replaced when `storage` is given.
 */
class SteeredPlatform extends BrowserIdentityAuthPlatform {
  offsetMs = 0;
  readonly heartbeats: (() => void)[] = [];
  private readonly origin = Date.now();
  constructor(
    private readonly options: {
      scale?: number;
      manualHeartbeat?: boolean;
      storage?: (kind: 'session' | 'local') => Storage | null;
      page?: Page;
    } = {},
  ) {
    super(options.page ?? (window as Page), document.baseURI);
  }
  private get scale(): number {
    return this.options.scale ?? 1;
  }
  override now(): number {
    return this.origin + (Date.now() - this.origin) * this.scale + this.offsetMs;
  }
  override setTimeout(callback: () => void, ms: number): Cancel {
    return super.setTimeout(callback, ms / this.scale);
  }
  override setInterval(callback: () => void, ms: number): Cancel {
    if (!this.options.manualHeartbeat) return super.setInterval(callback, ms / this.scale);
    this.heartbeats.push(callback);
    return () => undefined;
  }
  override storage(kind: 'session' | 'local'): Storage | null {
    return this.options.storage ? this.options.storage(kind) : super.storage(kind);
  }
  beat(): void {
    this.heartbeats.forEach((beat) => beat());
  }
}

const refreshRequests = async () => (await stats()).tokenRequests['refresh_token'] ?? 0;

async function apiStatus(token: string | null): Promise<number> {
  return (await fetch(FRONT_OFFICE, { headers: { authorization: `Bearer ${token}` } })).status;
}

/** The key under which the library keeps spa's tokens on this origin (learnt from a real login). */
async function storeKey(storage: 'session' | 'local'): Promise<string> {
  const tab = openTab({ storage });
  await tab.service.restore();
  await tab.login();
  const key = storedKeys()[0];
  tab.close();
  await cleanSlate();
  return key;
}

describe('fault matrix: sleep, clocks, storage, outage (31–36)', () => {
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(closeAllTabs);

  matrixCase(
    '31',
    'the machine sleeps through five lifetimes (platform clock moved on, timers held, heartbeat run on wake: fake sleep)',
    'on wake: one refresh at once, the session kept, a token the API accepts',
    async (observe) => {
      const platform = new SteeredPlatform({ manualHeartbeat: true });
      const tab = steeredTab(platform);
      await tab.service.restore();
      await tab.login();
      await resetStats();
      platform.offsetMs = 5 * 30_000;
      const woke = Date.now();
      platform.beat();
      await until(() => tab.count('refreshed') === 1, 'a refresh on wake', 5_000);
      const after = Date.now() - woke;
      const token = await tab.service.getAccessToken();
      observe(
        `woke after 150 s: refreshed in ${after} ms, refresh requests ${await refreshRequests()}, status ` +
          `${tab.service.status()}, sessionExpired ${tab.count('sessionExpired')}, API HTTP ${await apiStatus(token)}`,
      );
      expect(await refreshRequests()).toBe(1);
      expect(tab.count('sessionExpired')).toBe(0);
      expect(await apiStatus(token)).toBe(200);
    },
  );

  matrixCase(
    '32',
    'the clock jumps an hour back, then ten minutes ahead (platform clock: fake)',
    'back: refreshes keep their pace, nothing expires early or late; ahead: one refresh at once, no burst',
    async (observe) => {
      const platform = new SteeredPlatform({ manualHeartbeat: true });
      await arm({ path: TOKEN_PATH, mode: 'mutate-json', set: { expires_in: 3 }, count: 100_000 });
      const tab = steeredTab(platform);
      await tab.service.restore();
      await tab.login();
      await resetStats();
      platform.offsetMs = -3_600_000;
      platform.beat();
      await until(() => tab.count('refreshed') >= 3, 'three refreshes after the jump back', 15_000);
      const back = await refreshRequests();
      const tokenBack = await tab.service.getAccessToken();
      observe(
        `an hour back: ${tab.count('refreshed')} refreshes (${back} requests), API HTTP ${await apiStatus(tokenBack)}`,
      );
      expect(back).toBe(tab.count('refreshed'));
      expect(await apiStatus(tokenBack)).toBe(200);

      await disarm();
      await lastValueFrom(tab.service.refreshToken());
      await resetStats();
      const before = tab.count('refreshed');
      platform.offsetMs += 3_600_000 + 600_000;
      platform.beat();
      platform.beat();
      await until(() => tab.count('refreshed') > before, 'a refresh after the jump ahead', 5_000);
      platform.beat();
      const ahead = await refreshRequests();
      const tokenAhead = await tab.service.getAccessToken();
      observe(
        `ten minutes ahead: ${ahead} refresh request on the jump (3 heartbeats), status ${tab.service.status()}, ` +
          `sessionExpired ${tab.count('sessionExpired')}, API HTTP ${await apiStatus(tokenAhead)}`,
      );
      expect(ahead).toBe(1);
      expect(tab.count('sessionExpired')).toBe(0);
      expect(await apiStatus(tokenAhead)).toBe(200);
    },
    60_000,
  );

  matrixCase(
    '33',
    'garbage or a foreign value in the token store (local, session)',
    'restore ignores it, does not throw, and replaces it with a real session from the identity cookie',
    async (observe) => {
      for (const storage of ['local', 'session'] as const) {
        const key = await storeKey(storage);
        const web = storage === 'local' ? localStorage : sessionStorage;
        for (const [label, value] of [
          ['not JSON', '{garbage'],
          ['foreign JSON', JSON.stringify({ accessToken: 42, user: 'someone' })],
          ['a record of another shape', JSON.stringify({ generation: 'x', expiresAt: 'soon' })],
        ]) {
          await cleanSlate();
          // an identity session exists (signed in elsewhere), but the store holds junk
          await new IdentityAuth(location.origin, 'spa').signIn(TRADER.email, TRADER.password);
          web.setItem(key, value);
          const tab = openTab({ storage });
          const restored = await outcome(tab.service.restore());
          const stored = web.getItem(key);
          const replaced = stored !== null && stored !== value;
          observe(
            `${storage}, ${label}: restore ${restored.error ? describeError(restored.error) : 'ok'} → ` +
              `${tab.service.status()}, junk replaced=${replaced}, API HTTP ${await apiStatus(await tab.service.getAccessToken())}`,
          );
          expect(restored.error).toBeUndefined();
          expect(tab.service.status()).toBe('signed-in');
          expect(replaced).toBeTrue();
          tab.close();
        }
      }
    },
    60_000,
  );

  matrixCase(
    '34',
    'a storage that throws: setItem over quota; storage disabled (the getter throws) (fake Storage objects)',
    'the session works in memory: sign-in, API call, sign-out; no error escapes',
    async (observe) => {
      const quota = (kind: 'session' | 'local'): Storage => {
        const real = kind === 'local' ? localStorage : sessionStorage;
        return {
          get length() {
            return real.length;
          },
          key: (i: number) => real.key(i),
          getItem: (k: string) => real.getItem(k),
          removeItem: (k: string) => real.removeItem(k),
          clear: () => real.clear(),
          setItem: () => {
            throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          },
        };
      };
      const disabledPage = new Proxy(window, {
        get(target, name) {
          if (name === 'localStorage' || name === 'sessionStorage')
            throw new DOMException('Access is denied for this document.', 'SecurityError');
          const value = Reflect.get(target, name);
          return typeof value === 'function' && !/^[A-Z]/.test(String(name)) ? value.bind(target) : value;
        },
      }) as Page;
      for (const [label, platform] of [
        ['setItem throws QuotaExceededError', new SteeredPlatform({ storage: quota })],
        ['storage getter throws SecurityError', new SteeredPlatform({ page: disabledPage })],
      ] as const) {
        await cleanSlate();
        const tab = steeredTab(platform, { storage: 'local' });
        const restored = await outcome(tab.service.restore());
        const login = await outcome(tab.login());
        const api = await apiStatus(await tab.service.getAccessToken());
        const out = await outcome(lastValueFrom(tab.service.signOut()));
        observe(
          `${label}: restore ${restored.error ? describeError(restored.error) : 'ok'}, login ` +
            `${login.error ? describeError(login.error) : 'ok'}, API HTTP ${api}, sign-out ${out.error ? describeError(out.error) : 'ok'}, ` +
            `stored ${storedKeys().length}`,
        );
        expect(restored.error).toBeUndefined();
        expect(login.error).toBeUndefined();
        expect(api).toBe(200);
        expect(out.error).toBeUndefined();
        expect(tab.service.status()).toBe('signed-out');
        tab.close();
      }
    },
  );

  matrixCase(
    '36',
    'the identity service down for a minute (503 on every token request; the platform clock and timers run 20× fast: fake minute)',
    'the session is kept throughout; retries back off (≤ 10 requests in the minute); one refresh heals it after',
    async (observe) => {
      const platform = new SteeredPlatform({ scale: 20 });
      const tab = steeredTab(platform);
      await tab.service.restore();
      await tab.login();
      await resetStats();
      await arm({ path: TOKEN_PATH, mode: 'html', status: 503, count: 100_000 });
      const downAt = platform.now();
      let leftSignedIn = false;
      await until(
        () => {
          leftSignedIn ||= tab.service.status() !== 'signed-in';
          return platform.now() - downAt >= 60_000;
        },
        'a minute on the platform clock',
        10_000,
      );
      const during = (await stats()).requests[`POST ${TOKEN_PATH}`] ?? 0;
      const expiredToken = await outcome(tab.service.getAccessToken());
      await disarm();
      const failures = tab.count('refreshFailed');
      await until(() => tab.count('refreshed') >= 1, 'a refresh after the outage', 10_000);
      const token = await tab.service.getAccessToken();
      observe(
        `a minute down: ${during} token requests, ${failures} refreshFailed (all transient=${tab.events
          .filter((e) => e.type === 'refreshFailed')
          .every((e) => (e as { transient: boolean }).transient)}), getAccessToken() after expiry → ` +
          `${expiredToken.error ? describeError(expiredToken.error) : 'a token'}; left signed-in=${leftSignedIn}; ` +
          `back up: refreshed, API HTTP ${await apiStatus(token)}, sessionExpired ${tab.count('sessionExpired')}`,
      );
      expect(leftSignedIn).toBeFalse();
      expect(during).toBeGreaterThan(1);
      expect(during).toBeLessThanOrEqual(10);
      expect(tab.count('sessionExpired')).toBe(0);
      expect(await apiStatus(token)).toBe(200);
    },
  );
});
