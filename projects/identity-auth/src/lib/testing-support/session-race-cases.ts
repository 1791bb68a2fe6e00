// Support for the session-race specs (no specs of its own): each race is one body,
// run by session/session-races.integration.spec.ts (one `it` each) and by the fault
// matrix (reliability/browser/races.faults.spec.ts, rows 40–49). Real engine, real
// Chromium, the real emulator; a body records what it saw with `observe` (never a
// token) and decides with `expect`. Where a body replaces a part of the app (a token
// store of the app's own) or of the browser, its title says so.
import { HttpClient, HttpErrorResponse, provideHttpClient, withInterceptors } from '@angular/common/http';
import { createEnvironmentInjector, EnvironmentInjector } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { isIdentityAuthError } from 'b2trader.identity.auth/core';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';

import { identityAuthInterceptor } from '../http/interceptor';
import type { IdentityAuthConfig } from '../identity-auth-config';
import { IdentityAuthService } from '../identity-auth.service';
import { provideIdentityAuth, withTokenStore } from '../providers';
import { SessionEngine } from '../session/session-engine';
import type { IdentityTokenRecord } from '../session/token-record';
import type { IdentityTokenStore } from '../session/token-store';
import {
  arm,
  cleanSlate,
  closeAllTabs,
  disarm,
  mintedToken,
  nextTokenAnswer,
  openTab,
  resetStats,
  revokeGrants,
  shortTokens,
  stats,
  type Tab,
  TOKEN_PATH,
  TRADER,
  TWO_FACTOR,
  until,
} from './emulator-tabs';

/** Adds one line to what a race observed (the fault matrix's "observed" column). */
export type Observe = (line: string) => void;

/** One race: what it does, what the fixed engine does, and its body. */
export interface Race {
  readonly title: string;
  readonly expected: string;
  readonly run: (observe: Observe) => Promise<void>;
}

const AUTHORIZE_PATH = '/identity/connect/authorize';
const FRONT_OFFICE = '/api/frontoffice/v1/account';
/** The seeded subjects (e2e/identity-server/accounts.mjs). */
const TRADER_SUB = '10e3bfcf-56f7-421d-84ea-1700209ae121';
const TWO_FACTOR_SUB = '5b0f3f8e-2f64-4c1e-9d1b-6b9f3f0a2fa1';

/** `promise`, or a rejection naming `what` once `ms` have passed (a deadline, not a sleep). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Whether `condition` comes true within `ms` (polled with until()). */
function becomes(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  return until(condition, 'a condition', ms).then(
    () => true,
    () => false,
  );
}

/** Answers of the emulator's `delay-answer` fault that are ready and held back now. */
async function heldAnswers(): Promise<number> {
  return ((await (await fetch('/__faults')).json()) as { heldAnswers?: number }).heldAnswers ?? 0;
}

/** The Web Locks named `…:leader` held or queued for on this origin. */
async function leaderLocks(): Promise<{ held: string[]; pending: string[] }> {
  const { held = [], pending = [] } = await navigator.locks.query();
  const leader = (locks: LockInfo[]) =>
    locks
      .map((lock) => lock.name ?? '')
      // This page's identity service only: specs of other configurations may have tabs open meanwhile.
      .filter((name) => name.startsWith('b2trader.identity.auth:') && name.endsWith(`@${location.origin}:leader`));
  return { held: leader(held), pending: leader(pending) };
}

/** A refresh_token grant of our own, as someone holding a leaked token would send it: status and OAuth error. */
async function presentRefreshToken(refreshToken: string): Promise<{ status: number; error?: string }> {
  const response = await fetch(TOKEN_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'spa', refresh_token: refreshToken }),
    credentials: 'omit',
  });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  return { status: response.status, error: body.error };
}

/**
 * Whether the identity service still knows `refreshToken`, without spending it: a
 * refresh that asks for a scope the token does not carry is refused before rotation
 * — `invalid_scope` while the token lives, `invalid_grant` once it is revoked.
 */
async function refreshTokenAlive(refreshToken: string): Promise<boolean> {
  const response = await fetch(TOKEN_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'spa',
      refresh_token: refreshToken,
      scope: 'openid email',
    }),
    credentials: 'omit',
  });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (body.error !== 'invalid_scope' && body.error !== 'invalid_grant')
    throw new Error(`the liveness probe got HTTP ${response.status} ${body.error ?? ''}`);
  return body.error === 'invalid_scope';
}

/** The refresh tokens that refresh answers carried, kept by the wrapped page fetch (never printed). */
interface RefreshAnswers {
  /** Refresh tokens that refresh answers carried. */
  readonly rotated: string[];
  /** Refresh tokens that code-exchange answers (a login's) carried. */
  readonly issued: string[];
}
let restoreFetch: (() => void) | null = null;

/** Wraps the page's fetch until {@link cleanUpRaces}; install before a tab opens (the client binds fetch then). */
function captureRefreshAnswers(): RefreshAnswers {
  const original = window.fetch;
  const seen: RefreshAnswers = { rotated: [], issued: [] };
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const response = await original.call(window, input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = init?.body;
    const form =
      body instanceof URLSearchParams ? body : typeof body === 'string' ? new URLSearchParams(body) : undefined;
    const grant = form?.get('grant_type');
    if (url.includes(TOKEN_PATH) && (grant === 'refresh_token' || grant === 'authorization_code') && response.ok) {
      const json = (await response
        .clone()
        .json()
        .catch(() => null)) as { refresh_token?: unknown } | null;
      if (typeof json?.refresh_token === 'string')
        (grant === 'refresh_token' ? seen.rotated : seen.issued).push(json.refresh_token);
    }
    return response;
  };
  window.fetch = wrapped as typeof window.fetch;
  restoreFetch = () => (window.fetch = original);
  return seen;
}

/** A token store of the app's own (withTokenStore): the record in memory, each call delayed as asked. */
class SlowStore implements IdentityTokenStore {
  inFlight = 0;
  constructor(
    readonly kept: { record: IdentityTokenRecord | null },
    private readonly delays: { load?: number; save?: number; clear?: number } = {},
  ) {}
  load(): Promise<IdentityTokenRecord | null> {
    return this.later(this.delays.load, () => this.kept.record);
  }
  save(record: IdentityTokenRecord): Promise<void> {
    return this.later(this.delays.save, () => void (this.kept.record = record));
  }
  clear(): Promise<void> | void {
    if (!this.delays.clear) {
      this.kept.record = null;
      return;
    }
    return this.later(this.delays.clear, () => void (this.kept.record = null));
  }
  private later<T>(ms: number | undefined, act: () => T): Promise<T> {
    this.inFlight += 1;
    return new Promise<T>((resolve) =>
      setTimeout(() => {
        this.inFlight -= 1;
        resolve(act());
      }, ms ?? 0),
    );
  }
}

/** A tab whose HttpClient runs through the library's interceptor, with `/api/` allow-listed. */
function appTab(config: Partial<IdentityAuthConfig> = {}): Tab & { http: HttpClient } {
  const tab = openTab(
    { apis: ['/api/'], ...config },
    [],
    [provideHttpClient(withInterceptors([identityAuthInterceptor]))],
  );
  return Object.assign(tab, { http: tab.injector.get(HttpClient) });
}

/** The 2fa account signs in in `tab`: password, the app's own second-factor call, then continueLogin(). */
async function signInSecondUser(tab: Tab): Promise<void> {
  const steps = await tab.login(TWO_FACTOR.email, TWO_FACTOR.password);
  expect(steps.at(-1)?.step).toBe('second-factor-required');
  const second = await fetch('/identity/sign-in/second-factor', {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: TWO_FACTOR.code }),
  });
  expect(second.status).toBe(200);
  await lastValueFrom(tab.service.continueLogin().pipe(toArray()));
}

/** Injectors made outside openTab(), destroyed after each race. */
const injectors: EnvironmentInjector[] = [];
/** Engines whose injector was destroyed: whatever they started anyway is stopped after each race. */
const zombies: SessionEngine[] = [];

/** Before each race: no faults, no session, zeroed counters. */
export const prepareRace = cleanSlate;

/** After each race: the page's fetch back, every tab and injector closed, anything a dead injector started stopped. */
export async function cleanUpRaces(): Promise<void> {
  restoreFetch?.();
  restoreFetch = null;
  closeAllTabs();
  injectors.splice(0).forEach((injector) => injector.destroyed || injector.destroy());
  // An engine that started after its injector was destroyed holds the leader lock for
  // good: release it (through its internals) so that the next specs can elect a leader.
  for (const engine of zombies.splice(0)) {
    const running = (
      engine as unknown as { running?: { tabs?: { close?(): void }; coordinator?: { stop?(): void } } | null }
    ).running;
    running?.coordinator?.stop?.();
    running?.tabs?.close?.();
  }
  await disarm();
}

/** Case 4. */
export const SIGN_OUT_DURING_REFRESH: Race = {
  title: 'sign-out while a refresh answer is on its way (the server rotated; emulator delay-answer)',
  expected: 'the refresh token that late answer carries is revoked: presenting it gets 400 invalid_grant',
  async run(observe) {
    const answers = captureRefreshAnswers();
    const tab = openTab();
    await tab.service.restore();
    await tab.login();
    await arm({ path: TOKEN_PATH, method: 'POST', mode: 'delay-answer', ms: 1_500 });
    await resetStats();

    const refreshing = lastValueFrom(tab.service.refreshToken()).catch((err: unknown) => err);
    // The server has rotated (the old refresh token is spent) and holds the answer back.
    await until(async () => (await heldAnswers()) === 1, 'the rotated answer held by the server');
    const { serverNotified } = await lastValueFrom(tab.service.signOut());
    expect(serverNotified).withContext('the sign-out reached the identity service').toBeTrue();
    expect(tab.service.status()).toBe('signed-out');

    await refreshing;
    await until(() => answers.rotated.length === 1, 'the late refresh answer to arrive');
    const [rotated] = answers.rotated;
    // The engine revokes it once the late answer arrives.
    const revoked = await becomes(async () => !(await refreshTokenAlive(rotated)), 5_000);
    const attempt = await presentRefreshToken(rotated);
    observe(
      `rotated refresh token revoked within 5 s of the late answer: ${revoked}; presented afterwards: ` +
        `HTTP ${attempt.status}${attempt.error ? ` ${attempt.error}` : ''}; status ${tab.service.status()}, refreshed ${tab.count('refreshed')}`,
    );
    expect(revoked).withContext('the rotated refresh token was revoked within 5 s of the late answer').toBeTrue();
    expect(attempt)
      .withContext('presenting the rotated refresh token after the sign-out')
      .toEqual({ status: 400, error: 'invalid_grant' });
    expect(tab.service.status()).toBe('signed-out');
    expect(tab.count('refreshed')).toBe(0);
  },
};

/** Case 5. */
export const ON_DEMAND_DURING_BACKOFF: Race = {
  title: 'on-demand token requests during a 429 backoff (Retry-After: 30), 6-second tokens',
  expected:
    'no token request before Retry-After; each getAccessToken() resolves to the still-valid token (a transient error once expired)',
  async run(observe) {
    // 6-second tokens: due for a refresh after 3 s, valid until 6 s.
    await shortTokens(6);
    const tab = openTab();
    await tab.service.restore();
    await tab.login();
    const before = await tab.service.getAccessToken();
    await disarm();
    await arm({ path: TOKEN_PATH, method: 'POST', mode: 'rate-limit', retryAfter: '30' });
    await shortTokens(6);
    await resetStats();

    // The proactive refresh (due at 3 s) meets the 429 and backs off for Retry-After.
    await until(() => tab.count('refreshFailed') === 1, 'the proactive refresh to meet the 429', 8_000);
    const failure = tab.events.find((event) => event.type === 'refreshFailed');
    expect(failure).toEqual(jasmine.objectContaining({ transient: true, retryInMs: 30_000 }));

    const outcomes: { token?: string | null; transientError?: boolean }[] = [];
    for (let call = 0; call < 5; call += 1) {
      try {
        outcomes.push({ token: await tab.service.getAccessToken() });
      } catch (err) {
        outcomes.push({ transientError: isIdentityAuthError(err) && err.transient });
      }
    }
    const figures = await stats();
    const stillValid = Date.now() < tab.service.session()!.expiresAt;
    const sameToken = outcomes.filter((outcome) => outcome.token === before).length;
    const transientErrors = outcomes.filter((outcome) => outcome.transientError).length;
    // `requests` counts the 429 too (`tokenRequests` only what reached the token endpoint).
    const tokenPosts = figures.requests[`POST ${TOKEN_PATH}`] ?? 0;
    observe(
      `token requests after the backoff began: ${tokenPosts} (the 429 included); 5 getAccessToken(): ` +
        `${sameToken} the pre-429 token, ${transientErrors} transient errors, ${5 - sameToken - transientErrors} other`,
    );
    expect(tokenPosts)
      .withContext(
        `token requests: the one that met the 429, none during its Retry-After ` +
          `(refresh_token grants that reached the endpoint: ${figures.tokenRequests['refresh_token'] ?? 0})`,
      )
      .toBe(1);
    outcomes.forEach((outcome, call) =>
      expect(stillValid ? outcome.token === before : outcome.transientError === true)
        .withContext(
          `getAccessToken() #${call + 1}: ${stillValid ? 'the still-valid token' : 'a transient error (token expired)'}`,
        )
        .toBeTrue(),
    );
    expect(tab.count('sessionExpired')).toBe(0);
  },
};

/** Case 6. */
export const ASYNC_STORE_RESTORE: Race = {
  title: "restore from an app's own async token store (withTokenStore; load after 50 ms), 3-second tokens",
  expected: 'a proactive refresh (refreshed event) within 5 s of the restore: the token never expires unrefreshed',
  async run(observe) {
    await shortTokens(3);
    const kept: { record: IdentityTokenRecord | null } = { record: null };
    // An earlier tab (injector) of this app signed in and left its record in the store.
    const earlier = openTab({}, [withTokenStore(new SlowStore(kept))]);
    await earlier.service.restore();
    await earlier.login();
    await until(() => kept.record !== null, 'the earlier tab to save its record');
    earlier.close();
    await resetStats();

    const tab = openTab({}, [withTokenStore(new SlowStore(kept, { load: 50 }))]);
    await tab.service.restore();
    expect(tab.service.status()).toBe('signed-in');
    const restoredAt = Date.now();
    const expiresAt = tab.service.session()!.expiresAt;
    const refreshed = await becomes(() => tab.count('refreshed') >= 1, 5_000);
    const figures = await stats();
    observe(
      `restored with ${expiresAt - restoredAt} ms of token left; refreshed within 5 s: ${refreshed}; ` +
        `refresh_token requests ${figures.tokenRequests['refresh_token'] ?? 0}; sessionExpired ${tab.count('sessionExpired')}`,
    );
    expect(refreshed)
      .withContext(
        `a proactive refresh within 5 s of the restore (the token expired ${expiresAt - restoredAt} ms after it; ` +
          `refresh_token requests ${figures.tokenRequests['refresh_token'] ?? 0})`,
      )
      .toBeTrue();
    expect(tab.count('sessionExpired')).toBe(0);
  },
};

/** Case 7. */
export const DESTROYED_DURING_CONFIG_FACTORY: Race = {
  title: 'an injector destroyed while its async config factory runs; a tab opened afterwards',
  expected:
    'nothing starts after the factory resolves (no leader Web Lock); the next tab leads at once (refreshes within 3 s)',
  async run(observe) {
    expect((await leaderLocks()).held)
      .withContext('no leader lock before the race')
      .toEqual([]);
    let resolveConfig!: (config: IdentityAuthConfig) => void;
    const config = new Promise<IdentityAuthConfig>((resolve) => (resolveConfig = resolve));
    let factoryRan = false;
    const injector = createEnvironmentInjector(
      [
        provideIdentityAuth(() => {
          factoryRan = true;
          return config;
        }),
      ],
      TestBed.inject(EnvironmentInjector),
    );
    injectors.push(injector);
    injector.get(IdentityAuthService);
    zombies.push(injector.get(SessionEngine));
    expect(factoryRan).withContext('start-up ran the config factory').toBeTrue();
    injector.destroy();
    resolveConfig({ url: '/', clientId: 'spa' });
    await config;

    const lockTaken = await becomes(async () => {
      const { held, pending } = await leaderLocks();
      return held.length + pending.length > 0;
    }, 1_000);

    const next = openTab();
    await next.service.restore();
    await next.login();
    await resetStats();
    const started = Date.now();
    const refreshed = await within(lastValueFrom(next.service.refreshToken()), 3_000, 'the next tab refreshing').then(
      () => true,
      () => false,
    );
    const took = Date.now() - started;
    observe(
      `leader lock taken by the destroyed injector's engine: ${lockTaken}; next tab's refresh ` +
        `${refreshed ? `done in ${took} ms` : `not done within ${took} ms`}`,
    );
    expect(lockTaken).withContext('a leader lock held or queued for after the factory resolved').toBeFalse();
    expect(refreshed).withContext(`the next tab refreshed within 3 s (took ${took} ms or more)`).toBeTrue();
    expect((await stats()).tokenRequests['refresh_token'] ?? 0).toBe(refreshed ? 1 : 0);
  },
};

/** Case 8. */
export const REAUTHORIZE_RETRY: Race = {
  title:
    'invalid_grant on a refresh (grant revoked, identity cookie alive), then the silent re-authorize gets 503 twice',
  expected:
    'backoff retries never present the refused refresh token again (1 refresh_token request); healed through the cookie',
  async run(observe) {
    const tab = openTab();
    await tab.service.restore();
    await tab.login();
    // The grant is revoked server-side; the identity-session cookie lives on.
    await revokeGrants(false);
    await arm({ path: AUTHORIZE_PATH, mode: 'html', status: 503, count: 2 });
    await resetStats();

    const first = await lastValueFrom(tab.service.refreshToken()).catch((err: unknown) => err);
    expect(isIdentityAuthError(first) && first.transient)
      .withContext('the first refresh fails transiently')
      .toBeTrue();
    // Backoff retries until the authorize answers again; the cookie heals the session.
    await until(() => tab.count('refreshed') === 1, 'the session healed through the identity cookie', 12_000);
    await until(async () => ((await stats()).tokenRequests['authorization_code'] ?? 0) >= 1, 'the code exchange');
    const figures = await stats();
    const failures = tab.events.filter((event) => event.type === 'refreshFailed').length;
    const api = await fetch(FRONT_OFFICE, {
      headers: { authorization: `Bearer ${await tab.service.getAccessToken()}` },
    });
    observe(
      `refresh_token requests ${figures.tokenRequests['refresh_token'] ?? 0}, authorize requests ` +
        `${figures.requests[`GET ${AUTHORIZE_PATH}`] ?? 0}, refreshFailed ${failures}; status ${tab.service.status()}, ` +
        `sessionExpired ${tab.count('sessionExpired')}; API with the healed token HTTP ${api.status}`,
    );
    expect(figures.tokenRequests['refresh_token'] ?? 0)
      .withContext(`refresh_token requests across the first refresh and its retries (${failures} refreshFailed)`)
      .toBe(1);
    expect(figures.requests[`GET ${AUTHORIZE_PATH}`]).toBeGreaterThanOrEqual(3);
    expect(tab.service.status()).toBe('signed-in');
    expect(tab.count('sessionExpired')).toBe(0);
    expect(api.status).toBe(200);
  },
};

/** Case 9. */
export const ORDERED_STORE_WRITES: Race = {
  title: "sign-in then sign-out at once with an app's own async token store (withTokenStore; save 200 ms, clear 0 ms)",
  expected: 'store writes keep their order: the store ends up empty',
  async run(observe) {
    const kept: { record: IdentityTokenRecord | null } = { record: null };
    const store = new SlowStore(kept, { save: 200 });
    const tab = openTab({}, [withTokenStore(store)]);
    await tab.service.restore();
    await tab.login();
    await lastValueFrom(tab.service.signOut());
    expect(tab.service.status()).toBe('signed-out');
    await until(() => store.inFlight === 0, 'the store writes to settle', 5_000);
    observe(`after sign-in + sign-out the store holds ${kept.record ? 'a token record' : 'nothing'}`);
    expect(kept.record === null)
      .withContext(`the store after sign-in + sign-out holds ${kept.record ? 'a token record' : 'nothing'}`)
      .toBeTrue();
  },
};

/** Case 10. */
export const SIGN_OUT_WHILE_LEADER_REFRESHES: Race = {
  title: 'sign-out in a follower while the leader refresh is on the wire (the token endpoint slow: delay 1.5 s)',
  expected: 'every tab one signedOut, none sessionExpired, and no silent re-authorize of the signed-out session',
  async run(observe) {
    const leader = openTab();
    await leader.service.restore();
    await leader.login();
    const followers = [openTab(), openTab()];
    await Promise.all(followers.map((tab) => tab.service.restore()));
    const tabs = [leader, ...followers];
    // The token endpoint takes 1.5 s before it reads the request: the sign-out gets there first.
    await arm({ path: TOKEN_PATH, method: 'POST', mode: 'delay', ms: 1_500 });
    await resetStats();

    const refreshing = lastValueFrom(leader.service.refreshToken()).catch((err: unknown) => err);
    await until(
      async () => ((await stats()).requests[`POST ${TOKEN_PATH}`] ?? 0) >= 1,
      'the leader refresh on the wire',
    );
    await lastValueFrom(followers[0].service.signOut());
    await until(() => tabs.every((tab) => tab.service.status() === 'signed-out'), 'all tabs signed out');
    const afterSignOut = (await stats()).requests[`GET ${AUTHORIZE_PATH}`] ?? 0;
    await refreshing;
    await until(async () => ((await stats()).tokenRequests['refresh_token'] ?? 0) === 1, 'the refresh answered');
    // Whatever the refused refresh leads to (an expiry, a silent authorize) happens now, or not at all.
    await becomes(
      async () =>
        tabs.some((tab) => tab.count('sessionExpired') > 0) ||
        ((await stats()).requests[`GET ${AUTHORIZE_PATH}`] ?? 0) > afterSignOut,
      2_000,
    );
    const figures = await stats();
    const authorizeAfter = (figures.requests[`GET ${AUTHORIZE_PATH}`] ?? 0) - afterSignOut;
    const afterEnd = tabs.map((tab) => tab.events.slice(tab.events.findIndex((e) => e.type === 'signedOut') + 1));
    const eventsAfterEnd = afterEnd.map((events) => events.map((e) => e.type).join('+') || 'none').join(' / ');
    observe(
      `signedOut ${tabs.map((tab) => tab.count('signedOut')).join('/')}, sessionExpired ` +
        `${tabs.map((tab) => tab.count('sessionExpired')).join('/')}; silent authorize requests after the sign-out ` +
        `${authorizeAfter}; events after signedOut: ${eventsAfterEnd}`,
    );
    expect(tabs.map((tab) => tab.count('signedOut')))
      .withContext('signedOut events per tab')
      .toEqual([1, 1, 1]);
    expect(tabs.map((tab) => tab.count('sessionExpired')))
      .withContext('sessionExpired events per tab')
      .toEqual([0, 0, 0]);
    expect(authorizeAfter)
      .withContext(`silent authorize requests after the sign-out (events after signedOut per tab: ${eventsAfterEnd})`)
      .toBe(0);
    tabs.forEach((tab) => expect(tab.service.status()).toBe('signed-out'));
  },
};

/** Case 11. */
export const REPLAY_AFTER_USER_SWITCH: Race = {
  title: 'an API 401 whose replay would go out after another user signed in in another tab',
  expected: "the 401 reaches the caller; no replay with the other user's token",
  async run(observe) {
    // The trader's access token is already dead at the API (signed by the emulator,
    // expired a minute ago; the answer claims 30 s): its request earns a real 401.
    const now = Math.floor(Date.now() / 1000);
    await nextTokenAnswer(await mintedToken({ iat: now - 120, exp: now - 60 }), 30);
    const app = appTab();
    await app.service.restore();
    await app.login(TRADER.email, TRADER.password);
    expect(app.service.session()?.subject).toBe(TRADER_SUB);
    const other = openTab();
    await other.service.restore();
    await arm({ path: FRONT_OFFICE, mode: 'delay', ms: 2_000 });
    await resetStats();

    let settled = false;
    const call = firstValueFrom(app.http.get<{ accountId?: string }>(FRONT_OFFICE))
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      )
      .finally(() => (settled = true));
    await until(async () => ((await stats()).requests[`GET ${FRONT_OFFICE}`] ?? 0) >= 1, 'the request at the API');
    // While it waits at the API: another user signs in in the other tab.
    await signInSecondUser(other);
    await until(() => app.service.session()?.subject === TWO_FACTOR_SUB, 'the app tab to adopt the new user');
    expect(settled).withContext('the user switch happened before the API answered').toBeFalse();

    const result = await call;
    const api = ((await stats()) as unknown as { api: { ok: number; unauthorized: number } }).api;
    const replaySubject = 'value' in result ? result.value?.accountId : undefined;
    const status = 'error' in result && result.error instanceof HttpErrorResponse ? result.error.status : 200;
    const who = replaySubject === TWO_FACTOR_SUB ? 'the other user' : (replaySubject ?? 'none');
    observe(
      `caller got HTTP ${status}; API answered ${api.ok} ok, ${api.unauthorized} unauthorized; replayed as: ${who}`,
    );
    expect(replaySubject)
      .withContext(`the subject the replay carried (API: ${api.ok} ok, ${api.unauthorized} unauthorized)`)
      .toBeUndefined();
    expect(status).withContext('the caller gets the 401').toBe(401);
    expect(api).toEqual(jasmine.objectContaining({ ok: 0, unauthorized: 1 }));
  },
};

/** Case 12. */
export const SIGN_OUT_DURING_LOGIN: Race = {
  title: "sign-out while a login's code-exchange answer is on its way (the server issued; emulator delay-answer)",
  expected:
    'the sign-out wins: the login fails with signed_out, the refresh token of the late answer is revoked, the tab stays signed out',
  async run(observe) {
    const answers = captureRefreshAnswers();
    const tab = openTab();
    await tab.service.restore();
    await arm({ path: TOKEN_PATH, method: 'POST', mode: 'delay-answer', ms: 1_500 });
    const login = tab.login().then(
      () => null,
      (err: unknown) => err,
    );
    // The service has issued the login's tokens and holds the answer back.
    await until(async () => (await heldAnswers()) === 1, 'the code answer held by the server');
    await lastValueFrom(tab.service.signOut());
    const error = await login;
    await until(() => answers.issued.length >= 1, 'the late code answer to arrive');
    const issued = answers.issued[0];
    const revoked = await becomes(async () => !(await refreshTokenAlive(issued)), 5_000);
    const code = isIdentityAuthError(error) ? error.code : String(error);
    observe(
      `login ended with ${code}; its refresh token revoked within 5 s: ${revoked}; status ${tab.service.status()}, signedIn events ${tab.count('signedIn')}`,
    );
    expect(code).withContext('the login overtaken by the sign-out').toBe('signed_out');
    expect(revoked).withContext('the refresh token of the late code answer was revoked within 5 s').toBeTrue();
    expect(tab.service.status()).toBe('signed-out');
    expect(tab.count('signedIn')).toBe(0);
  },
};

/** Case 13. */
export const SIGNING_OUT_TAB_GONE: Race = {
  title:
    'the tab that signed out while the sign-out endpoint failed (503) goes away (its injector destroyed) before the service heard it',
  expected: 'a tab that held the same refresh token revokes it once the service answers, and ends the identity session',
  async run(observe) {
    const answers = captureRefreshAnswers();
    const leader = openTab();
    await leader.service.restore();
    await leader.login();
    const follower = openTab();
    await follower.service.restore();
    await until(() => follower.service.status() === 'signed-in', 'the second tab to hold the session');
    const held = answers.rotated.at(-1) ?? answers.issued.at(-1) ?? '';
    await arm({ path: '/identity/sign-out', method: 'POST', mode: 'html', status: 503, count: 1000 });
    const { serverNotified } = await lastValueFrom(leader.service.signOut());
    await until(() => follower.service.status() === 'signed-out', 'the second tab to sign out');
    leader.close();
    await disarm();
    const revoked = await becomes(async () => !(await refreshTokenAlive(held)), 10_000);
    observe(
      `server notified at the sign-out: ${serverNotified}; the refresh token revoked within 10 s of the tab going: ${revoked}; ` +
        `second tab ${follower.service.status()}`,
    );
    expect(serverNotified).withContext('the sign-out reached the failing endpoint only').toBeFalse();
    expect(revoked).withContext('the refresh token of the tab that went was revoked by the other tab').toBeTrue();
    expect(follower.service.status()).toBe('signed-out');
  },
};

/** The races in the order of list of session races (cases 4–13): the spec and the fault matrix run these. */
export const RACES: readonly (readonly [caseNumber: number, race: Race])[] = [
  [4, SIGN_OUT_DURING_REFRESH],
  [5, ON_DEMAND_DURING_BACKOFF],
  [6, ASYNC_STORE_RESTORE],
  [7, DESTROYED_DURING_CONFIG_FACTORY],
  [8, REAUTHORIZE_RETRY],
  [9, ORDERED_STORE_WRITES],
  [10, SIGN_OUT_WHILE_LEADER_REFRESHES],
  [11, REPLAY_AFTER_USER_SWITCH],
  [12, SIGN_OUT_DURING_LOGIN],
  [13, SIGNING_OUT_TAB_GONE],
];
