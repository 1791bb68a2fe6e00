// Fault matrix, cases 23–26, 29, 30: the interceptor in an app signed in for real,
// calling the emulator's protected API through HttpClient in Chromium.
import {
  HttpClient,
  HttpErrorResponse,
  type HttpInterceptorFn,
  HttpResponse,
  provideHttpClient,
  withInterceptors,
} from '@angular/common/http';
import { isIdentityAuthError } from 'b2trader.identity.auth/core';
import { firstValueFrom, from, lastValueFrom, of, switchMap } from 'rxjs';

import { identityAuthInterceptor } from '../../projects/identity-auth/src/lib/http/interceptor';
import {
  arm,
  cleanSlate,
  closeAllTabs,
  openTab,
  requireEmulator,
  resetStats,
  stats,
} from '../../projects/identity-auth/src/lib/testing-support/emulator-tabs';
import { appTab, BACK_OFFICE, describeError, FRONT_OFFICE, matrixCase, outcome } from './matrix';

const refused = { mode: 'respond', status: 401, json: { error: 'invalid_token' } };
/** The emulator's counters, with the API's verdicts. */
async function figuresNow(): Promise<{
  api: { ok: number; unauthorized: number };
  tokenRequests: Record<string, number>;
}> {
  return (await fetch('/__stats')).json();
}
const refreshes = async () => (await stats()).tokenRequests['refresh_token'] ?? 0;

/** What the network would have seen: the Authorization header of each request after the library's interceptor. */
function recorder() {
  const seen: { url: string; authorization: string | null }[] = [];
  const record: HttpInterceptorFn = (request, next) => {
    seen.push({ url: request.url, authorization: request.headers.get('authorization') });
    return next(request);
  };
  return { seen, record };
}

async function signedIn<T extends { service: { restore(): Promise<void> }; login(): Promise<unknown> }>(tab: T) {
  await tab.service.restore();
  await tab.login();
  await resetStats();
  return tab;
}

describe('fault matrix: the interceptor (23–26, 29, 30)', () => {
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(closeAllTabs);

  matrixCase(
    '23',
    'N = 50 concurrent requests meet a token the API refuses (401)',
    'one refresh, N replays',
    async (observe) => {
      const tab = await signedIn(appTab());
      await arm({ path: FRONT_OFFICE, ...refused, count: 50 });
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => outcome(firstValueFrom(tab.http.get(FRONT_OFFICE)))),
      );
      const figures = await figuresNow();
      observe(
        `${answers.filter((a) => a.value).length}/50 answered 200; refreshes ${figures.tokenRequests['refresh_token'] ?? 0}; ` +
          `API answers: ${figures.api.ok} ok`,
      );
      expect(answers.every((a) => a.value)).toBeTrue();
      expect(figures.tokenRequests['refresh_token']).toBe(1);
      expect(figures.api.ok).toBe(50);
    },
  );

  matrixCase(
    '24',
    'a replayed request gets 401 again',
    'no second refresh for it; the 401 reaches the caller',
    async (observe) => {
      const tab = await signedIn(appTab());
      await arm({ path: FRONT_OFFICE, ...refused, count: 2 });
      const { error } = await outcome(firstValueFrom(tab.http.get(FRONT_OFFICE)));
      const calls = (await stats()).requests[`GET ${FRONT_OFFICE}`] ?? 0;
      observe(`caller got ${describeError(error)}; API calls ${calls}; refreshes ${await refreshes()}`);
      expect(error instanceof HttpErrorResponse && error.status).toBe(401);
      expect(calls).toBe(2);
      expect(await refreshes()).toBe(1);
    },
  );

  matrixCase(
    '25',
    'a 401 for a request that carried an older token than the current one (request held in the app: fake delay)',
    'replay with the current token, no refresh',
    async (observe) => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const sent: (string | null)[] = [];
      // After the library's interceptor: holds the first request (already carrying its token) until released.
      const hold: HttpInterceptorFn = (request, next) => {
        sent.push(request.headers.get('authorization'));
        return sent.length === 1 ? from(gate).pipe(switchMap(() => next(request))) : next(request);
      };
      const tab = await signedIn(
        openTab({ apis: ['/api/'] }, [], [provideHttpClient(withInterceptors([identityAuthInterceptor, hold]))]),
      );
      const http = tab.injector.get(HttpClient);
      const pending = outcome(firstValueFrom(http.get(FRONT_OFFICE)));
      await lastValueFrom(tab.service.refreshToken());
      const before = await refreshes();
      await arm({ path: FRONT_OFFICE, ...refused, count: 1 });
      release();
      const { error } = await pending;
      observe(
        `old-token request → 401 → ${error ? describeError(error) : '200 after a replay'}; ` +
          `replay carried the new token=${sent.length === 2 && sent[1] !== sent[0]}; refreshes after the 401 ${(await refreshes()) - before}`,
      );
      expect(error).toBeUndefined();
      expect(sent.length).toBe(2);
      expect(sent[1]).not.toBe(sent[0]);
      expect((await refreshes()) - before).toBe(0);
    },
  );

  matrixCase('26', '403 from the API', 'passed through; no refresh', async (observe) => {
    const tab = await signedIn(appTab());
    const { error } = await outcome(firstValueFrom(tab.http.get(BACK_OFFICE)));
    observe(`caller got ${describeError(error)}; refreshes ${await refreshes()}`);
    expect(error instanceof HttpErrorResponse && error.status).toBe(403);
    expect(await refreshes()).toBe(0);
  });

  matrixCase(
    '29',
    'requests to origins off the allow-list (no such hosts on loopback: answered in the app: fake backend)',
    'no `Authorization` header',
    async (observe) => {
      const { seen, record } = recorder();
      // Nothing leaves the page: the last interceptor answers in place of the unreachable hosts.
      const answer: HttpInterceptorFn = () => of(new HttpResponse({ status: 200, body: {} }));
      const tab = await signedIn(
        openTab(
          { apis: ['https://api.example.com/'] },
          [],
          [provideHttpClient(withInterceptors([identityAuthInterceptor, record, answer]))],
        ),
      );
      const http = tab.injector.get(HttpClient);
      const urls = [
        'https://api.example.com/v1/orders',
        'https://api.example.com.evil.test/v1/orders',
        'http://api.example.com/v1/orders',
        '//evil.test/v1/orders',
        'https://evil.test/v1/orders',
        'https://api.example.com@evil.test/v1/orders',
        'https://API.EXAMPLE.COM:443/v1/orders',
        'https://api.example.com:8443/v1/orders',
      ];
      for (const url of urls) await firstValueFrom(http.get(url));
      const withToken = seen.filter((r) => r.authorization).map((r) => r.url);
      observe(`token sent to: ${withToken.join(', ') || 'none'}; not to the other ${urls.length - withToken.length}`);
      expect(withToken).toEqual(['https://api.example.com/v1/orders', 'https://API.EXAMPLE.COM:443/v1/orders']);
    },
  );

  matrixCase(
    '30',
    'requests to the identity endpoints, even with the whole origin allow-listed',
    'never given a bearer token, never refreshed and replayed',
    async (observe) => {
      const { seen, record } = recorder();
      const tab = await signedIn(
        openTab({ apis: ['/'] }, [], [provideHttpClient(withInterceptors([identityAuthInterceptor, record]))]),
      );
      const http = tab.injector.get(HttpClient);
      await arm({ path: '/identity/.well-known/openid-configuration', ...refused, count: 1 });
      const refusedAnswer = await outcome(firstValueFrom(http.get('/identity/.well-known/openid-configuration')));
      const plain = await outcome(firstValueFrom(http.get('/identity/.well-known/openid-configuration')));
      const api = await outcome(firstValueFrom(http.get(FRONT_OFFICE)));
      const identityWithToken = seen.filter((r) => r.url.startsWith('/identity/') && r.authorization).length;
      observe(
        `identity requests with a token ${identityWithToken}/${seen.filter((r) => r.url.startsWith('/identity/')).length}; ` +
          `its 401 → caller got ${describeError(refusedAnswer.error)}, refreshes ${await refreshes()}; ` +
          `discovery ${plain.error ? describeError(plain.error) : 'ok'}; API on the same origin ${api.error ? describeError(api.error) : 'ok with token'}`,
      );
      expect(identityWithToken).toBe(0);
      expect(refusedAnswer.error instanceof HttpErrorResponse && refusedAnswer.error.status).toBe(401);
      expect(await refreshes()).toBe(0);
      expect(api.error).toBeUndefined();
      expect(isIdentityAuthError(api.error)).toBeFalse();
    },
  );
});
