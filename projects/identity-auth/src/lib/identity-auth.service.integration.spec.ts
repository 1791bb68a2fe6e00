// Integration (real Chromium, the real emulator through the Karma proxy): one tab's
// session from login to sign-out, refreshes across short lifetimes, and failures.
import { isIdentityAuthError } from 'b2trader.identity.auth/core';
import { lastValueFrom, toArray } from 'rxjs';

import {
  arm,
  cleanSlate,
  closeAllTabs,
  disarm,
  mintedToken,
  nextTokenAnswer,
  openTab,
  resetStats,
  requireEmulator,
  revokeGrants,
  shortTokens,
  stats,
  TOKEN_PATH,
  TRADER,
  TWO_FACTOR,
  until,
} from './testing-support/emulator-tabs';

describe('integration: IdentityAuthService against the emulator', () => {
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(closeAllTabs);

  it('logs in through signing-in → authorizing → exchanging → signed-in', async () => {
    const tab = openTab();
    await tab.service.restore();
    expect(tab.service.status()).toBe('signed-out');

    const steps = await tab.login();
    expect(steps.map((s) => s.step)).toEqual(['signing-in', 'authorizing', 'exchanging', 'signed-in']);
    const session = tab.service.session();
    expect(session?.account.email).toBe(TRADER.email);
    expect(session?.clientId).toBe('spa');
    expect(session?.scope).toContain('FrontOffice');
    expect(session?.expiresAt).toBeGreaterThan(Date.now());
    expect(tab.service.isAuthenticated()).toBeTrue();
    expect(tab.service.status()).toBe('signed-in');
    expect(tab.count('signedIn')).toBe(1);
    const token = await tab.service.getAccessToken();
    expect(token?.split('.').length).toBe(3);
    expect(JSON.stringify(session)).not.toContain(token!);
    expect(JSON.stringify(tab.events)).not.toContain(token!);
    const api = await fetch('/api/frontoffice/v1/account', { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
  });

  it('pauses at second-factor-required and finishes with continueLogin()', async () => {
    const tab = openTab();
    await tab.service.restore();
    const steps = await tab.login(TWO_FACTOR.email, TWO_FACTOR.password);
    expect(steps.map((s) => s.step)).toEqual(['signing-in', 'second-factor-required']);
    expect(tab.service.status()).toBe('signed-out');

    // The app's own second-factor call.
    const second = await fetch('/identity/sign-in/second-factor', {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: TWO_FACTOR.code }),
    });
    expect(second.status).toBe(200);

    const rest = await lastValueFrom(tab.service.continueLogin().pipe(toArray()));
    expect(rest.map((s) => s.step)).toEqual(['authorizing', 'exchanging', 'signed-in']);
    expect(tab.service.session()?.account.email).toBe(TWO_FACTOR.email);
  });

  it('fails a wrong password with invalid_credentials and stays signed out', async () => {
    const tab = openTab();
    await tab.service.restore();
    let caught: unknown;
    try {
      await tab.login(TRADER.email, 'wrong-Passw0rd');
    } catch (err) {
      caught = err;
    }
    expect(isIdentityAuthError(caught, 'invalid_credentials')).toBeTrue();
    expect((caught as { code?: string }).code).toBe('SignInUnsuccessful');
    expect(String((caught as Error).message)).not.toContain('wrong-Passw0rd');
    expect(tab.service.status()).toBe('signed-out');
    expect((await stats()).tokenRequests['authorization_code'] ?? 0).toBe(0);
  });

  it('turns a double-click login into one chain and one consistent session', async () => {
    const tab = openTab();
    await tab.service.restore();
    const [first, second] = await Promise.all([tab.login(), tab.login()]);
    expect(first.map((s) => s.step)).toEqual(['signing-in', 'authorizing', 'exchanging', 'signed-in']);
    expect(second).toEqual(first);
    const figures = await stats();
    expect(figures.signIn.succeeded).toBe(1);
    expect(figures.tokenRequests['authorization_code']).toBe(1);
    expect(tab.count('signedIn')).toBe(1);
  });

  for (const storage of ['memory', 'session', 'local'] as const) {
    it(`restores after a reload (a fresh injector) with ${storage} storage`, async () => {
      const first = openTab({ storage });
      await first.service.restore();
      await first.login();
      const subject = first.service.session()!.subject;
      first.close();
      const before = await stats();

      const reloaded = openTab({ storage });
      expect(reloaded.service.status()).toBe('unknown');
      await reloaded.service.restore();
      expect(reloaded.service.status()).toBe('signed-in');
      expect(reloaded.service.session()?.subject).toBe(subject);
      const after = await stats();
      const silentAuthorizes =
        (after.tokenRequests['authorization_code'] ?? 0) - (before.tokenRequests['authorization_code'] ?? 0);
      // Memory keeps nothing at rest: the identity-session cookie gets new tokens silently.
      expect(silentAuthorizes).toBe(storage === 'memory' ? 1 : 0);
      expect(reloaded.events.find((e) => e.type === 'signedIn')).toEqual(jasmine.objectContaining({ via: 'restore' }));
    });
  }

  it('restores through a blip: the silent authorize answered 502 twice, then the session comes back', async () => {
    const first = openTab({ storage: 'memory' });
    await first.service.restore();
    await first.login();
    const subject = first.service.session()!.subject;
    first.close();
    await arm({ path: '/identity/connect/authorize', mode: 'html', status: 502, count: 2 });
    const before = await stats();

    const reloaded = openTab({ storage: 'memory' });
    await reloaded.service.restore();
    expect(reloaded.service.status()).toBe('signed-in');
    expect(reloaded.service.session()?.subject).toBe(subject);
    const after = await stats();
    expect(after.faultsApplied - before.faultsApplied).toBe(2);
    expect((after.tokenRequests['authorization_code'] ?? 0) - (before.tokenRequests['authorization_code'] ?? 0)).toBe(
      1,
    );
    expect(reloaded.count('sessionExpired')).toBe(0);
  });

  it('restores to signed-out when there is neither a stored token nor an identity session', async () => {
    const tab = openTab({ storage: 'session' });
    await tab.service.restore();
    expect(tab.service.status()).toBe('signed-out');
    expect(tab.service.session()).toBeNull();
    expect(await tab.service.getAccessToken()).toBeNull();
  });

  it('refreshes proactively across six 3-second lifetimes with one token request each', async () => {
    await shortTokens(3);
    const tab = openTab();
    await tab.service.restore();
    await tab.login();
    const started = Date.now();
    await until(() => tab.count('refreshed') >= 6, 'six refreshes', 20_000);
    const elapsed = Date.now() - started;
    const figures = await stats();
    expect(figures.tokenRequests['refresh_token']).toBe(tab.count('refreshed'));
    expect(figures.refreshReuseDetected).toBe(0);
    // 3 s tokens are refreshed at half their lifetime: no loop, no late refresh.
    expect(elapsed).toBeGreaterThan(6 * 1_400);
    expect(tab.service.status()).toBe('signed-in');
    const api = await fetch('/api/frontoffice/v1/account', {
      headers: { authorization: `Bearer ${await tab.service.getAccessToken()}` },
    });
    expect(api.status).toBe(200);
  });

  it('keeps the session through a 502 during a refresh and retries with backoff', async () => {
    const tab = openTab();
    await shortTokens(3);
    await tab.service.restore();
    await tab.login();
    // The fault first: the emulator applies armed faults in order.
    await disarm();
    await arm({ path: TOKEN_PATH, mode: 'html', status: 502, count: 1 });
    await shortTokens(3);
    await until(() => tab.count('refreshed') >= 1, 'a refresh after the fault', 15_000);
    const failed = tab.events.find((e) => e.type === 'refreshFailed');
    expect(failed).toEqual(jasmine.objectContaining({ type: 'refreshFailed', transient: true }));
    expect((failed as { retryInMs: number }).retryInMs).toBeGreaterThanOrEqual(500);
    expect(tab.count('sessionExpired')).toBe(0);
    expect(tab.service.status()).toBe('signed-in');
  });

  it('during an outage getAccessToken() gives the still-valid token, then a transient error once it expired', async () => {
    await shortTokens(3);
    const tab = openTab();
    await tab.service.restore();
    await tab.login();
    const token = await tab.service.getAccessToken();
    await disarm();
    await arm({ path: TOKEN_PATH, mode: 'html', status: 503, count: 50 });
    await until(() => tab.count('refreshFailed') >= 1, 'a failed refresh');
    const expiresAt = tab.service.session()!.expiresAt;
    // Refreshes start at half of the 3 s lifetime: the token still has about 1.5 s.
    expect(await tab.service.getAccessToken()).toBe(token);
    expect(Date.now()).toBeLessThan(expiresAt);
    await until(() => Date.now() > expiresAt, 'the token to expire');
    let caught: unknown;
    try {
      await tab.service.getAccessToken();
    } catch (err) {
      caught = err;
    }
    expect(isIdentityAuthError(caught)).toBeTrue();
    expect((caught as { transient: boolean }).transient).toBeTrue();
    expect(tab.service.status()).toBe('signed-in');
    expect(tab.count('sessionExpired')).toBe(0);
  });

  it('waits at least Retry-After after a 429 during a refresh', async () => {
    const tab = openTab();
    await shortTokens(3);
    await tab.service.restore();
    await tab.login();
    // The fault first: the emulator applies armed faults in order.
    await disarm();
    await arm({ path: TOKEN_PATH, mode: 'rate-limit', retryAfter: '2', count: 1 });
    await shortTokens(3);
    await until(() => tab.count('refreshed') >= 1, 'a refresh after the 429', 15_000);
    const failed = tab.events.find((e) => e.type === 'refreshFailed') as { retryInMs: number; transient: boolean };
    expect(failed.transient).toBeTrue();
    expect(failed.retryInMs).toBeGreaterThanOrEqual(2_000);
    expect(tab.service.status()).toBe('signed-in');
  });

  it('heals a revoked grant silently with the identity-session cookie', async () => {
    const tab = openTab();
    await tab.service.restore();
    await tab.login();
    await revokeGrants(false);
    const session = await lastValueFrom(tab.service.refreshToken());
    expect(session.account.email).toBe(TRADER.email);
    expect(tab.count('refreshed')).toBe(1);
    expect(tab.count('sessionExpired')).toBe(0);
    const figures = await stats();
    expect(figures.tokenRequests['refresh_token']).toBe(1);
    expect(figures.tokenRequests['authorization_code']).toBe(2);
  });

  it('ends the session once when the grant is revoked and the identity session is over', async () => {
    const tab = openTab();
    await tab.service.restore();
    await tab.login();
    await revokeGrants(true);
    let caught: unknown;
    try {
      await lastValueFrom(tab.service.refreshToken());
    } catch (err) {
      caught = err;
    }
    expect(isIdentityAuthError(caught, 'login_required')).toBeTrue();
    expect(tab.service.status()).toBe('signed-out');
    expect(tab.count('sessionExpired')).toBe(1);
    expect(await tab.service.getAccessToken()).toBeNull();
  });

  it('ends the session when a refreshed id_token is for another subject', async () => {
    const tab = openTab();
    await tab.service.restore();
    await tab.login();
    await arm({ path: TOKEN_PATH, mode: 'id-token', set: { sub: 'someone-else' }, count: 1 });
    await expectAsync(lastValueFrom(tab.service.refreshToken())).toBeRejected();
    expect(tab.service.status()).toBe('signed-out');
    expect(tab.count('sessionExpired')).toBe(1);
  });

  it('signs out at the identity service: a tab opened afterwards is signed out', async () => {
    const tab = openTab();
    await tab.service.restore();
    await tab.login();
    const result = await lastValueFrom(tab.service.signOut());
    expect(result.serverNotified).toBeTrue();
    expect(tab.service.status()).toBe('signed-out');
    expect(tab.events.at(-1)).toEqual(jasmine.objectContaining({ type: 'signedOut', serverNotified: true }));
    expect((await stats()).requests['POST /identity/sign-out']).toBeGreaterThanOrEqual(1);

    const later = openTab();
    await later.service.restore();
    expect(later.service.status()).toBe('signed-out');
  });

  it('signs out at the identity service with a token that died early: a bearer from the identity session (the refresh token is not presented), then the sign-out goes through and revokes that one too', async () => {
    const tab = openTab();
    await tab.service.restore();
    // The login's access token is dead on the server although its answer claims 30 s.
    const now = Math.floor(Date.now() / 1000);
    await nextTokenAnswer(await mintedToken({ iat: now - 120, exp: now - 60 }), 30);
    await tab.login();
    await resetStats();
    const result = await lastValueFrom(tab.service.signOut());
    expect(result.serverNotified).toBeTrue();
    const after = await stats();
    expect(after.tokenRequests).toEqual({ authorization_code: 1 });
    // refused (401), the refresh token revoked with the new bearer, the new grant's own
    expect(after.requests['POST /identity/sign-out']).toBe(3);

    const later = openTab();
    await later.service.restore();
    expect(later.service.status()).toBe('signed-out');
  });

  it('signs out locally when the sign-out endpoint fails, and says so', async () => {
    const tab = openTab({ storage: 'session' });
    await tab.service.restore();
    await tab.login();
    await arm({ path: '/identity/sign-out', mode: 'html', status: 503, count: 1 });
    const result = await lastValueFrom(tab.service.signOut());
    expect(result.serverNotified).toBeFalse();
    expect(tab.service.status()).toBe('signed-out');
    expect(tab.events.at(-1)).toEqual(jasmine.objectContaining({ type: 'signedOut', serverNotified: false }));
    expect(Object.keys(sessionStorage).filter((key) => key.startsWith('b2trader.identity.auth'))).toEqual([]);
  });
});
