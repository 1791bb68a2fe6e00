// Fault matrix, cases 1–11: the token endpoint misbehaves. The protocol client
// (`/core`) and the session engine run in Chromium against the emulator's /__faults.
import { DEFAULT_LIFETIME_SEC, IdentityAuth, isIdentityAuthError, MAX_LIFETIME_SEC } from 'b2trader.identity.auth/core';
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
  TOKEN_PATH,
  TRADER,
  until,
} from '../../projects/identity-auth/src/lib/testing-support/emulator-tabs';
import { appTab, describeError, FRONT_OFFICE, matrixCase, outcome, storedKeys } from './matrix';

/** The protocol client in this page, signed in, with its first tokens. */
async function coreSession() {
  const auth = new IdentityAuth(location.origin, 'spa');
  await auth.signIn(TRADER.email, TRADER.password);
  const tokens = await auth.retrieveToken(await auth.authorize());
  return { auth, tokens };
}

/** Refreshes once under `fault` and describes what came back. */
async function refreshUnder(fault: Record<string, unknown>) {
  const { auth, tokens } = await coreSession();
  await arm({ path: TOKEN_PATH, ...fault });
  const result = await outcome(auth.refreshToken(tokens.refreshToken!));
  return { ...result, auth, tokens };
}

/** A signed-in engine tab with 3-second tokens whose next refresh meets `fault` (armed before the lifetime rewrite). */
async function engineTabUnder(fault: Record<string, unknown>, config = {}) {
  const tab = openTab(config);
  await shortTokens(3);
  await tab.service.restore();
  await tab.login();
  await disarm();
  await arm({ path: TOKEN_PATH, ...fault });
  await shortTokens(3);
  return tab;
}

describe('fault matrix: token endpoint answers (1–11)', () => {
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(closeAllTabs);

  matrixCase(
    '1',
    'HTML 502/503 page on the token endpoint',
    'typed `server` error; during a refresh the session stays and the refresh is retried with backoff',
    async (observe) => {
      for (const status of [502, 503]) {
        const { error, auth, tokens } = await refreshUnder({ mode: 'html', status });
        observe(`core refresh behind HTML ${status}: ${describeError(error)}`);
        expect(isIdentityAuthError(error, 'server') && (error as { status: number }).status).toBe(status);
        expect((await auth.refreshToken(tokens.refreshToken!)).accessToken).toBeTruthy();
      }
      const tab = await engineTabUnder({ mode: 'html', status: 502, count: 1 });
      await until(() => tab.count('refreshed') >= 1, 'a refresh after the fault', 15_000);
      const failed = tab.events.find((e) => e.type === 'refreshFailed') as { transient: boolean; retryInMs: number };
      observe(
        `engine: refreshFailed transient=${failed?.transient} retry in ${failed?.retryInMs} ms, then refreshed; ` +
          `status ${tab.service.status()}, sessionExpired ${tab.count('sessionExpired')}`,
      );
      expect(failed?.transient).toBeTrue();
      expect(failed.retryInMs).toBeGreaterThanOrEqual(500);
      expect(tab.service.status()).toBe('signed-in');
      expect(tab.count('sessionExpired')).toBe(0);
    },
  );

  matrixCase(
    '2',
    '200 with text/html, or JSON cut off mid-body',
    '`invalid_response`; never treated as success',
    async (observe) => {
      const html = await refreshUnder({ mode: 'respond', status: 200, contentType: 'text/html', body: '<p>down</p>' });
      observe(`core, 200 text/html: ${describeError(html.error)}`);
      expect(isIdentityAuthError(html.error, 'invalid_response')).toBeTrue();
      const cut = await refreshUnder({ mode: 'truncated-json' });
      observe(`core, JSON cut in half: ${describeError(cut.error)}`);
      expect(isIdentityAuthError(cut.error, 'invalid_response')).toBeTrue();
      // The engine: the cut answer (which rotated the token at the server) is not used; the cookie heals it.
      const tab = await engineTabUnder({ mode: 'truncated-json', count: 1 });
      const before = await tab.service.getAccessToken();
      await resetStats();
      const refreshed = await outcome(lastValueFrom(tab.service.refreshToken()));
      const figures = await stats();
      observe(
        `engine, cut answer: ${refreshed.error ? describeError(refreshed.error) : 'session continued'} via ` +
          `${figures.tokenRequests['authorization_code'] ?? 0} silent code exchange(s); token changed=${
            (await tab.service.getAccessToken()) !== before
          }, reuse detected ${figures.refreshReuseDetected}`,
      );
      expect(refreshed.error).toBeUndefined();
      expect(figures.tokenRequests['authorization_code']).toBe(1);
      expect(figures.refreshReuseDetected).toBe(0);
    },
  );

  matrixCase('3', 'body null, [], a string, or no non-empty access_token', '`invalid_response`', async (observe) => {
    for (const [label, json] of [
      ['null', null],
      ['[]', []],
      ['"token"', 'token'],
      ['{no access_token}', { token_type: 'Bearer', expires_in: 30 }],
      ['{access_token:""}', { access_token: '', token_type: 'Bearer' }],
    ] as const) {
      const { error } = await refreshUnder({ mode: 'respond', status: 200, json });
      observe(`${label}: ${describeError(error)}`);
      expect(isIdentityAuthError(error, 'invalid_response')).withContext(label).toBeTrue();
    }
  });

  matrixCase('4', 'token_type missing or not Bearer', '`invalid_response`; `BEARER` accepted', async (observe) => {
    const missing = await refreshUnder({ mode: 'mutate-json', delete: ['token_type'] });
    observe(`missing: ${describeError(missing.error)}`);
    const mac = await refreshUnder({ mode: 'mutate-json', set: { token_type: 'mac' } });
    observe(`"mac": ${describeError(mac.error)}`);
    const caps = await refreshUnder({ mode: 'mutate-json', set: { token_type: 'BEARER' } });
    observe(`"BEARER": ${caps.error ? describeError(caps.error) : `accepted as ${caps.value?.tokenType}`}`);
    expect(isIdentityAuthError(missing.error, 'invalid_response')).toBeTrue();
    expect(isIdentityAuthError(mac.error, 'invalid_response')).toBeTrue();
    expect(caps.value?.tokenType).toBe('Bearer');
  });

  matrixCase(
    '5',
    'expires_in negative, NaN, "abc", missing, absurdly large',
    '`invalid_response`; missing → default lifetime; too large → capped',
    async (observe) => {
      for (const value of [-5, 'NaN', 'abc']) {
        const { error } = await refreshUnder({ mode: 'mutate-json', set: { expires_in: value } });
        observe(`${JSON.stringify(value)}: ${describeError(error)}`);
        expect(isIdentityAuthError(error, 'invalid_response')).toBeTrue();
      }
      const missing = await refreshUnder({ mode: 'mutate-json', delete: ['expires_in'] });
      observe(`missing: lifetime ${missing.value?.expiresIn} s (default ${DEFAULT_LIFETIME_SEC})`);
      expect(missing.value?.expiresIn).toBe(DEFAULT_LIFETIME_SEC);
      const huge = await refreshUnder({ mode: 'mutate-json', set: { expires_in: 1e12 } });
      observe(`1e12: lifetime ${huge.value?.expiresIn} s (cap ${MAX_LIFETIME_SEC})`);
      expect(huge.value?.expiresIn).toBe(MAX_LIFETIME_SEC);
    },
  );

  matrixCase(
    '6',
    'refresh answer without refresh_token; refresh_token: null',
    'keep the previous refresh token; `null` → `invalid_response`',
    async (observe) => {
      const without = await refreshUnder({ mode: 'mutate-json', delete: ['refresh_token'], noRotate: true });
      const kept = without.value?.refreshToken === without.tokens.refreshToken;
      const next = await outcome(without.auth.refreshToken(without.value!.refreshToken!));
      observe(`absent: previous kept=${kept}, next refresh with it ${next.error ? describeError(next.error) : 'ok'}`);
      expect(kept).toBeTrue();
      expect(next.error).toBeUndefined();
      const nulled = await refreshUnder({ mode: 'mutate-json', set: { refresh_token: null } });
      observe(`null: ${describeError(nulled.error)}`);
      expect(isIdentityAuthError(nulled.error, 'invalid_response')).toBeTrue();
    },
  );

  matrixCase(
    '7',
    '400 invalid_grant on a refresh (grant revoked, identity session over)',
    'session ends once: tokens cleared, one `sessionExpired`, queued requests fail with one typed error; no retry',
    async (observe) => {
      const tab = appTab({ storage: 'session' });
      await tab.service.restore();
      await tab.login();
      await revokeGrants(true);
      await resetStats();
      await arm({ path: FRONT_OFFICE, mode: 'respond', status: 401, json: { error: 'invalid_token' }, count: 5 });
      const results = await Promise.all(
        Array.from({ length: 5 }, () => outcome(lastValueFrom(tab.http.get(FRONT_OFFICE)))),
      );
      const errors = new Set(results.map((r) => r.error));
      await until(() => tab.service.status() === 'signed-out', 'the session to end');
      const figures = await stats();
      observe(
        `5 queued requests → ${errors.size} distinct error (${describeError([...errors][0])}); ` +
          `refresh requests ${figures.tokenRequests['refresh_token'] ?? 0}, sessionExpired ${tab.count('sessionExpired')}, ` +
          `stored keys ${storedKeys().length}, status ${tab.service.status()}`,
      );
      expect(errors.size).toBe(1);
      expect(results.every((r) => r.error !== undefined)).toBeTrue();
      expect(figures.tokenRequests['refresh_token']).toBe(1);
      expect(tab.count('sessionExpired')).toBe(1);
      expect(storedKeys()).toEqual([]);
    },
  );

  matrixCase(
    '8',
    '400 invalid_grant or the RFC 7807 401 on the code exchange',
    'typed error; the sign-in chain can be started again',
    async (observe) => {
      const tab = openTab();
      await tab.service.restore();
      await arm({
        path: TOKEN_PATH,
        mode: 'respond',
        status: 400,
        json: { error: 'invalid_grant', error_description: 'PKCE verification failed' },
      });
      const grant = await outcome(tab.login());
      observe(`400 invalid_grant: ${describeError(grant.error)}`);
      await arm({
        path: TOKEN_PATH,
        mode: 'respond',
        status: 401,
        contentType: 'application/problem+json',
        json: { type: 'https://tools.ietf.org/html/rfc7235#section-3.1', title: 'Unauthorized', status: 401 },
      });
      const problem = await outcome(tab.login());
      observe(`RFC 7807 401: ${describeError(problem.error)}`);
      const again = await outcome(tab.login());
      observe(`login again: ${again.error ? describeError(again.error) : `${tab.service.status()}`}`);
      expect(isIdentityAuthError(grant.error, 'invalid_grant')).toBeTrue();
      expect(isIdentityAuthError(problem.error, 'invalid_grant')).toBeTrue();
      expect(tab.service.status()).toBe('signed-in');
    },
  );

  matrixCase(
    '9',
    '401 invalid_client (spa_admin with a wrong secret)',
    'typed configuration error (`invalid_client`); one request, no retry, no refresh loop',
    async (observe) => {
      const tab = openTab({ clientId: 'spa_admin', clientSecret: 'not-the-admin-secret', timeoutMs: 3_000 });
      await tab.service.restore();
      await resetStats();
      const started = Date.now();
      const result = await outcome(tab.login());
      const tookMs = Date.now() - started;
      const figures = await stats();
      const message = String((result.error as Error)?.message);
      observe(
        `${describeError(result.error)} after ${tookMs} ms (timeoutMs 3000); code exchanges ` +
          `${figures.tokenRequests['authorization_code'] ?? 0}, refreshes ${figures.tokenRequests['refresh_token'] ?? 0}; ` +
          `secret in the message=${message.includes('not-the-admin-secret')}`,
      );
      // The cause, shown with plain fetch: the same refused request, with and without credentials.
      const refusedWith = async (credentials: RequestCredentials) => {
        const sent = Date.now();
        const answer = await outcome(
          fetch(TOKEN_PATH, {
            method: 'POST',
            credentials,
            signal: AbortSignal.timeout(2_000),
            headers: {
              authorization: `Basic ${btoa('spa_admin:not-the-admin-secret')}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: 'grant_type=refresh_token&refresh_token=x',
          }),
        );
        return `${answer.value ? `HTTP ${answer.value.status}` : (answer.error as Error).name} after ${Date.now() - sent} ms`;
      };
      observe(
        `plain fetch, credentials "omit": ${await refusedWith('omit')}; "same-origin": ${await refusedWith('same-origin')}`,
      );
      expect(figures.tokenRequests['authorization_code']).toBe(1);
      expect(figures.tokenRequests['refresh_token'] ?? 0).toBe(0);
      expect(message).not.toContain('not-the-admin-secret');
      // token requests go out without credentials, so the browser never holds them for a login prompt
      expect(isIdentityAuthError(result.error, 'invalid_client')).toBeTrue();
    },
  );

  matrixCase(
    '10',
    '429 with Retry-After (seconds; an HTTP date)',
    'wait at least Retry-After; keep the session',
    async (observe) => {
      const date = await refreshUnder({ mode: 'rate-limit', retryAfter: new Date(Date.now() + 30_000).toUTCString() });
      const retryAfterMs = (date.error as { retryAfterMs?: number })?.retryAfterMs ?? 0;
      observe(`core, HTTP date 30 s ahead: ${describeError(date.error)}, retryAfterMs ${retryAfterMs}`);
      expect(isIdentityAuthError(date.error, 'rate_limited')).toBeTrue();
      expect(retryAfterMs).toBeGreaterThan(25_000);
      const tab = await engineTabUnder({ mode: 'rate-limit', retryAfter: '2', count: 1 });
      await until(() => tab.count('refreshFailed') >= 1, 'the 429');
      const failedAt = Date.now();
      await until(() => tab.count('refreshed') >= 1, 'a refresh after the 429', 15_000);
      const waited = Date.now() - failedAt;
      const failed = tab.events.find((e) => e.type === 'refreshFailed') as { retryInMs: number };
      observe(
        `engine, Retry-After 2: retry planned in ${failed.retryInMs} ms, refreshed after ${waited} ms; ` +
          `status ${tab.service.status()}`,
      );
      expect(failed.retryInMs).toBeGreaterThanOrEqual(2_000);
      expect(waited).toBeGreaterThanOrEqual(1_900);
      expect(tab.service.status()).toBe('signed-in');
    },
  );

  matrixCase(
    '11',
    'connection dropped or answer lost (core); browser offline (engine; fetch made to fail: fake)',
    'typed `network` error; keep the session; retry when back online',
    async (observe) => {
      for (const mode of ['drop', 'commit-then-drop']) {
        await resetStats();
        const { error } = await refreshUnder({ mode });
        // every POST to the token endpoint but the first (the code exchange) was a refresh
        const reached = ((await stats()).requests[`POST ${TOKEN_PATH}`] ?? 0) - 1;
        observe(
          `core, ${mode}: ${error ? describeError(error) : 'answered'} (${reached} refresh requests reached the ` +
            'server: Chromium resends a request whose reused connection closed)',
        );
        expect(error === undefined || isIdentityAuthError(error)).toBeTrue();
      }
      // Chromium cannot be taken offline from the page: while `offline`, fetch fails as an offline browser's does.
      const realFetch = window.fetch;
      let offline = false;
      window.fetch = (input, init) =>
        offline ? Promise.reject(new TypeError('Failed to fetch')) : realFetch.call(window, input, init);
      try {
        const tab = openTab();
        await shortTokens(3);
        await tab.service.restore();
        await tab.login();
        offline = true;
        await until(() => tab.count('refreshFailed') >= 2, 'two failed refreshes while offline', 15_000);
        const failed = tab.events.filter((e) => e.type === 'refreshFailed') as { error: unknown; retryInMs: number }[];
        offline = false;
        const back = Date.now();
        window.dispatchEvent(new Event('online'));
        await until(() => tab.count('refreshed') >= 1, 'a refresh when back online', 5_000);
        observe(
          `engine offline: ${failed.length} failed refreshes (${describeError(failed[0].error)}), next retry planned ` +
            `in ${failed.at(-1)!.retryInMs} ms; back online → refreshed after ${Date.now() - back} ms; ` +
            `status ${tab.service.status()}, sessionExpired ${tab.count('sessionExpired')}`,
        );
        expect(isIdentityAuthError(failed[0].error, 'network')).toBeTrue();
        expect(tab.service.status()).toBe('signed-in');
        expect(tab.count('sessionExpired')).toBe(0);
      } finally {
        window.fetch = realFetch;
      }
    },
  );
});
