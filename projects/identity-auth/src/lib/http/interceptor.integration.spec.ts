// Integration: the real interceptor, real HttpClient (XHR and fetch backends) and the
// emulator's real protected API through the Karma proxy. The session is a fake that
// mints its tokens with the emulator's /__tokens control: what is real here is the
// API's verdicts and the interceptor's answers to them.
import {
  HttpClient,
  HttpErrorResponse,
  provideHttpClient,
  withFetch,
  withInterceptors,
  type HttpFeature,
  type HttpFeatureKind,
} from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom, type Subscription } from 'rxjs';

import { IDENTITY_AUTH_HTTP_SETTINGS, SessionAccess } from '../session/session-access';
import { FakeSession } from '../testing-support/fake-session';
import { until } from '../testing-support/until';
import { identityAuthInterceptor } from './interceptor';

declare const __karma__: { config: { identityEmulator?: boolean } };

const FRONT_OFFICE = '/api/frontoffice/v1/account';
const BACK_OFFICE = '/api/backoffice/v1/users';

interface ApiStats {
  ok: number;
  unauthorized: number;
  forbidden: number;
}

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
  return response.json() as Promise<T>;
}

async function apiStats(): Promise<ApiStats> {
  return (await control<{ api: ApiStats }>('GET', '/__stats')).api;
}

/** An access token signed by the emulator; `expired` makes one the API refuses. */
async function mint(expired: boolean): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const set = expired ? { iat: now - 120, exp: now - 60 } : {};
  return (await control<{ access_token: string }>('POST', '/__tokens', { set })).access_token;
}

describe('integration: identityAuthInterceptor against the emulator API (tokens minted by /__tokens)', () => {
  let session: FakeSession;
  /** The next refresh mints an expired token too. */
  let refreshGivesDeadToken: boolean;
  /** When set, refreshes wait for it. */
  let gate: Promise<void> | null;
  let http: HttpClient;

  beforeAll(() => {
    if (!__karma__.config.identityEmulator) {
      fail('run through `npm test` (or scripts/karma-with-emulator.mjs), which starts the emulator');
    }
  });

  async function setUp(startExpired: boolean, features: HttpFeature<HttpFeatureKind>[] = []) {
    refreshGivesDeadToken = false;
    gate = null;
    // hands out a token the API refuses, and mints a new one in one shared "refresh" after a 401
    session = new FakeSession({
      token: await mint(startExpired),
      mintToken: async () => {
        await gate;
        return mint(refreshGivesDeadToken);
      },
    });
    session.finishRestore();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([identityAuthInterceptor]), ...features),
        { provide: SessionAccess, useValue: session },
        {
          provide: IDENTITY_AUTH_HTTP_SETTINGS,
          useValue: { apis: ['/api'], identityBaseUrl: location.origin, waitForRestore: false },
        },
      ],
    });
    http = TestBed.inject(HttpClient);
    await control('POST', '/__stats/reset');
  }

  for (const [backend, features] of [
    ['XHR', []],
    ['fetch', [withFetch()]],
  ] as const) {
    it(`${backend}: 200 concurrent requests with a refused token → one refresh, 200 replays, 200 successes`, async () => {
      await setUp(true, [...features]);
      const answers = await Promise.all(
        Array.from({ length: 200 }, () => firstValueFrom(http.get<{ sub?: string }>(FRONT_OFFICE))),
      );
      expect(answers.length).toBe(200);
      expect(session.refreshes).toBe(1);
      expect(session.rejections.length).toBe(200);
      expect(await apiStats()).toEqual({ ok: 200, unauthorized: 200, forbidden: 0 });
    });
  }

  it('a spa token on the BackOffice API: the 403 reaches the caller, no refresh', async () => {
    await setUp(false);
    const error = await firstValueFrom(http.get(BACK_OFFICE)).catch((e: unknown) => e);
    expect(error instanceof HttpErrorResponse && error.status).toBe(403);
    expect(session.rejections).toEqual([]);
    expect(await apiStats()).toEqual({ ok: 0, unauthorized: 0, forbidden: 1 });
  });

  it('a replay refused again: its 401 reaches the caller, no second refresh', async () => {
    await setUp(true);
    refreshGivesDeadToken = true;
    const error = await firstValueFrom(http.get(FRONT_OFFICE)).catch((e: unknown) => e);
    expect(error instanceof HttpErrorResponse && error.status).toBe(401);
    expect(session.refreshes).toBe(1);
    expect(await apiStats()).toEqual({ ok: 0, unauthorized: 2, forbidden: 0 });
  });

  it('unsubscribing while the refresh runs cancels that request only', async () => {
    await setUp(true);
    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    const results: unknown[] = [];
    const subscriptions: Subscription[] = Array.from({ length: 3 }, () =>
      http.get(FRONT_OFFICE).subscribe({ next: (v) => results.push(v), error: (e) => results.push(e) }),
    );
    await until(() => session.rejections.length === 3, 'three 401s');
    subscriptions[1].unsubscribe();
    open();
    await until(() => results.length === 2, 'two answers');
    expect(results.every((r) => !(r instanceof HttpErrorResponse))).toBeTrue();
    expect(session.refreshes).toBe(1);
    expect(await apiStats()).toEqual({ ok: 2, unauthorized: 3, forbidden: 0 });
  });
});
