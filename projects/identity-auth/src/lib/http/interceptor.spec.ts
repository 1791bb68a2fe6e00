// The interceptor's rules, with HttpTestingController and a fake session that models
// the engine's contract — one shared refresh, the current token when a rejected one
// is already replaced.
import {
  HTTP_INTERCEPTORS,
  HttpClient,
  HttpContext,
  HttpContextToken,
  HttpErrorResponse,
  type HttpEvent,
  HttpEventType,
  HttpHeaderResponse,
  HttpHeaders,
  type HttpInterceptorFn,
  HttpParams,
  provideHttpClient,
  withInterceptors,
  withInterceptorsFromDi,
} from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { createEnvironmentInjector, EnvironmentInjector, type Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import fc from 'fast-check';
import { IdentityAuthError } from 'b2trader.identity.auth/core';
import { type Observable, retry, type Subscription, throwError } from 'rxjs';

import { IDENTITY_AUTH_HTTP_SETTINGS, type IdentityAuthHttpSettings, SessionAccess } from '../session/session-access';
import { FakeSession } from '../testing-support/fake-session';
import { SKIP_IDENTITY_AUTH } from './context';
import { IdentityAuthInterceptor, identityAuthInterceptor } from './interceptor';

const API = 'https://api.example.com';

/** Lets every pending promise callback run (one macrotask turn), deterministically. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve));

interface Outcome<T = unknown> {
  events: HttpEvent<T>[];
  values: T[];
  errors: unknown[];
  completed: boolean;
  subscription: Subscription;
}

function record<T>(source: Observable<T>): Outcome<T> {
  const outcome = { events: [], values: [] as T[], errors: [] as unknown[], completed: false } as unknown as Outcome<T>;
  outcome.subscription = source.subscribe({
    next: (value) => outcome.values.push(value),
    error: (error) => outcome.errors.push(error),
    complete: () => (outcome.completed = true),
  });
  return outcome;
}

function bearer(request: TestRequest): string | null {
  return request.request.headers.get('Authorization');
}

function unauthorized(request: TestRequest): void {
  request.flush({ error: 'invalid_token' }, { status: 401, statusText: 'Unauthorized' });
}

describe('identityAuthInterceptor with a fake session', () => {
  let session: FakeSession;
  let http: HttpClient;
  let backend: HttpTestingController;

  function setUp(
    settings: Partial<IdentityAuthHttpSettings> = {},
    extra: Provider[] = [],
    fns: HttpInterceptorFn[] = [],
  ) {
    session = new FakeSession();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([identityAuthInterceptor, ...fns])),
        provideHttpClientTesting(),
        { provide: SessionAccess, useValue: session },
        {
          provide: IDENTITY_AUTH_HTTP_SETTINGS,
          useValue: { apis: [API, '/api/'], identityBaseUrl: location.origin, waitForRestore: false, ...settings },
        },
        ...extra,
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
  }

  afterEach(() => backend.verify());

  describe('which requests get a token', () => {
    beforeEach(() => setUp());

    it('adds Authorization: Bearer to an allow-listed absolute URL and a path under a relative entry', async () => {
      const absolute = record(http.get(`${API}/orders`));
      const relative = record(http.get('/api/orders'));
      await settle();
      const [a, r] = [backend.expectOne(`${API}/orders`), backend.expectOne('/api/orders')];
      expect(bearer(a)).toBe('Bearer token-1');
      expect(bearer(r)).toBe('Bearer token-1');
      a.flush({ ok: 1 });
      r.flush({ ok: 2 });
      expect(absolute.values).toEqual([{ ok: 1 }]);
      expect(relative.values).toEqual([{ ok: 2 }]);
    });

    const foreign = [
      'https://api.example.com.evil.test/orders',
      'http://api.example.com/orders',
      '//evil.test/api/orders',
      'https://api.example.com@evil.test/orders',
      '/apix/orders',
    ];
    for (const url of foreign) {
      it(`sends ${url} untouched, without asking the session for a token (fault matrix case 29)`, () => {
        const outcome = record(http.get(url));
        const request = backend.expectOne(url);
        expect(request.request.headers.has('Authorization')).toBeFalse();
        unauthorized(request);
        expect((outcome.errors[0] as HttpErrorResponse).status).toBe(401);
        expect(session.tokenRequests).toBe(0);
        expect(session.rejections).toEqual([]);
      });
    }

    it('never gives the identity endpoints a token nor replays them, even when apis covers their origin (fault matrix case 30)', () => {
      TestBed.resetTestingModule();
      setUp({ apis: ['/'] });
      const outcome = record(http.post('/identity/sign-out', {}));
      const request = backend.expectOne('/identity/sign-out');
      expect(request.request.headers.has('Authorization')).toBeFalse();
      unauthorized(request);
      expect((outcome.errors[0] as HttpErrorResponse).status).toBe(401);
      expect(session.tokenRequests).toBe(0);
      expect(session.rejections).toEqual([]);
    });

    it('leaves a request that has its own Authorization header alone, 401 included', () => {
      const outcome = record(http.get(`${API}/orders`, { headers: { authorization: 'Basic abc' } }));
      const request = backend.expectOne(`${API}/orders`);
      expect(bearer(request)).toBe('Basic abc');
      unauthorized(request);
      expect((outcome.errors[0] as HttpErrorResponse).status).toBe(401);
      expect(session.tokenRequests).toBe(0);
      expect(session.rejections).toEqual([]);
    });

    it('lets one request opt out with SKIP_IDENTITY_AUTH', () => {
      const outcome = record(http.get(`${API}/status`, { context: new HttpContext().set(SKIP_IDENTITY_AUTH, true) }));
      const request = backend.expectOne(`${API}/status`);
      expect(request.request.headers.has('Authorization')).toBeFalse();
      unauthorized(request);
      expect((outcome.errors[0] as HttpErrorResponse).status).toBe(401);
      expect(session.rejections).toEqual([]);
    });

    it('signed out, sends the request without a token and passes its 401 through', async () => {
      session.current = null;
      const outcome = record(http.get(`${API}/orders`));
      await settle();
      const request = backend.expectOne(`${API}/orders`);
      expect(request.request.headers.has('Authorization')).toBeFalse();
      unauthorized(request);
      expect((outcome.errors[0] as HttpErrorResponse).status).toBe(401);
      expect(session.rejections).toEqual([]);
    });

    it('follows settings whose apis arrive later (a config factory still running at the first request)', async () => {
      let apis: readonly string[] = [];
      TestBed.resetTestingModule();
      setUp();
      const live = TestBed.inject(IDENTITY_AUTH_HTTP_SETTINGS) as { apis: readonly string[] };
      Object.defineProperty(live, 'apis', { get: () => apis });
      record(http.get('/api/early'));
      backend.expectOne('/api/early').flush({});
      apis = Object.freeze(['/api']);
      record(http.get('/api/late'));
      await settle();
      expect(bearer(backend.expectOne('/api/late'))).toBe('Bearer token-1');
    });

    it('gives no token to anything when apis is empty', () => {
      TestBed.resetTestingModule();
      setUp({ apis: [] });
      record(http.get('/api/orders'));
      backend.expectOne('/api/orders').flush({});
      expect(session.tokenRequests).toBe(0);
    });
  });

  describe('for arbitrary URLs (fast-check)', () => {
    beforeEach(() => setUp());

    it('a request reaches the backend with a token only when the browser would send it to an allow-listed origin', async () => {
      const allowed = new Set([API, location.origin]);
      const url = fc.oneof(
        fc.webUrl({ withQueryParameters: true }),
        fc
          .array(
            fc.constantFrom('https://', '//', '/', '\\', 'api.example.com', 'evil.test', '@', ':443', 'api', '..'),
            {
              minLength: 1,
              maxLength: 8,
            },
          )
          .map((parts) => parts.join('')),
      );
      await fc.assert(
        fc.asyncProperty(url, async (target) => {
          record(http.get(target));
          await settle();
          const [request] = backend.match(() => true);
          request.flush({});
          if (!request.request.headers.has('Authorization')) return true;
          const resolved = new URL(target, document.baseURI);
          const path = resolved.pathname;
          return (
            allowed.has(resolved.origin) &&
            (resolved.origin === API || path === '/api' || path.startsWith('/api/')) &&
            !resolved.username
          );
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('before sending', () => {
    it('does not wait for restore unless asked to', async () => {
      setUp();
      record(http.get(`${API}/orders`));
      await settle();
      expect(bearer(backend.expectOne(`${API}/orders`))).toBe('Bearer token-1');
    });

    it('with waitForRestore, holds protected requests until restore has finished', async () => {
      setUp({ waitForRestore: true });
      const outcome = record(http.get(`${API}/orders`));
      record(http.get('https://elsewhere.test/'));
      await settle();
      backend.expectNone(`${API}/orders`);
      expect(session.tokenRequests).toBe(0);
      backend.expectOne('https://elsewhere.test/').flush({});
      session.finishRestore();
      await settle();
      const request = backend.expectOne(`${API}/orders`);
      expect(bearer(request)).toBe('Bearer token-1');
      request.flush({ ok: true });
      expect(outcome.values).toEqual([{ ok: true }]);
    });

    it('N requests meeting an expired token wait for one refresh and leave with the new token (fault matrix case 23)', async () => {
      setUp();
      session.expired = true;
      const outcomes = Array.from({ length: 5 }, (_, i) => record(http.get(`${API}/orders/${i}`)));
      await settle();
      backend.expectNone((r) => r.url.startsWith(API));
      expect(session.refreshes).toBe(1);
      session.completeRefresh('token-2');
      await settle();
      const requests = backend.match((r) => r.url.startsWith(API));
      expect(requests.length).toBe(5);
      for (const request of requests) {
        expect(bearer(request)).toBe('Bearer token-2');
        request.flush({ url: request.request.url });
      }
      expect(outcomes.map((o) => o.values.length)).toEqual([1, 1, 1, 1, 1]);
      expect(session.refreshes).toBe(1);
    });

    it('when the refresh before sending ends the session, every waiting request fails with that error and none leaves', async () => {
      setUp();
      session.expired = true;
      const outcomes = Array.from({ length: 3 }, () => record(http.get(`${API}/orders`)));
      await settle();
      const ended = new IdentityAuthError('login_required', 'the session has ended. Sign in again.', {
        step: 'refresh',
      });
      session.endSession(ended);
      await settle();
      backend.expectNone(`${API}/orders`);
      for (const outcome of outcomes) expect(outcome.errors).toEqual([ended]);
    });

    it('unsubscribing while waiting for the token sends nothing for that request only', async () => {
      setUp();
      session.expired = true;
      const kept = record(http.get(`${API}/kept`));
      const dropped = record(http.get(`${API}/dropped`));
      await settle();
      dropped.subscription.unsubscribe();
      session.completeRefresh('token-2');
      await settle();
      backend.expectNone(`${API}/dropped`);
      backend.expectOne(`${API}/kept`).flush({});
      expect(kept.values.length).toBe(1);
    });
  });

  describe('after a 401', () => {
    beforeEach(() => setUp());

    it('N requests rejected with the same token share one refresh, then each is replayed once (fault matrix case 23)', async () => {
      const outcomes = Array.from({ length: 6 }, (_, i) => record(http.get(`${API}/orders/${i}`)));
      await settle();
      for (const request of backend.match((r) => r.url.startsWith(API))) unauthorized(request);
      await settle();
      expect(session.rejections).toEqual(Array(6).fill('token-1'));
      expect(session.refreshes).toBe(1);
      backend.expectNone((r) => r.url.startsWith(API));
      session.completeRefresh('token-2');
      await settle();
      const replays = backend.match((r) => r.url.startsWith(API));
      expect(replays.length).toBe(6);
      for (const replay of replays) {
        expect(bearer(replay)).toBe('Bearer token-2');
        replay.flush({ url: replay.request.url });
      }
      outcomes.forEach((outcome, i) => {
        expect(outcome.values).toEqual([{ url: `${API}/orders/${i}` }]);
        expect(outcome.errors).toEqual([]);
        expect(outcome.completed).toBeTrue();
      });
    });

    it('a 401 on the replay reaches the caller, with no second refresh (fault matrix case 24)', async () => {
      const outcome = record(http.get(`${API}/orders`));
      await settle();
      unauthorized(backend.expectOne(`${API}/orders`));
      await settle();
      session.completeRefresh('token-2');
      await settle();
      const replay = backend.expectOne(`${API}/orders`);
      unauthorized(replay);
      await settle();
      expect(outcome.errors.length).toBe(1);
      expect((outcome.errors[0] as HttpErrorResponse).status).toBe(401);
      expect(session.rejections).toEqual(['token-1']);
      expect(session.refreshes).toBe(1);
    });

    it('a 401 for an older token than the current one is replayed with the current token, no refresh (fault matrix case 25)', async () => {
      const outcome = record(http.get(`${API}/orders`));
      await settle();
      const first = backend.expectOne(`${API}/orders`);
      session.current = 'token-2'; // another request's refresh finished meanwhile
      unauthorized(first);
      await settle();
      const replay = backend.expectOne(`${API}/orders`);
      expect(bearer(replay)).toBe('Bearer token-2');
      replay.flush({ ok: true });
      expect(outcome.values).toEqual([{ ok: true }]);
      expect(session.refreshes).toBe(0);
    });

    it('does not replay when the session answers with the very token that was refused', async () => {
      spyOn(session, 'tokenAfterRejection').and.resolveTo('token-1');
      const outcome = record(http.get(`${API}/orders`));
      await settle();
      unauthorized(backend.expectOne(`${API}/orders`));
      await settle();
      backend.expectNone(`${API}/orders`);
      expect((outcome.errors[0] as HttpErrorResponse).status).toBe(401);
    });

    for (const [status, label] of [
      [403, 'a 403 (insufficient_scope)'],
      [404, 'a 404'],
      [500, 'a 500'],
    ] as const) {
      it(`passes ${label} to the caller untouched, with no refresh (fault matrix case 26)`, async () => {
        const outcome = record(http.get(`${API}/admin`));
        await settle();
        backend.expectOne(`${API}/admin`).flush({ error: 'x' }, { status, statusText: 'No' });
        await settle();
        expect((outcome.errors[0] as HttpErrorResponse).status).toBe(status);
        expect(session.rejections).toEqual([]);
      });
    }

    it('passes a network error through untouched', async () => {
      const outcome = record(http.get(`${API}/orders`));
      await settle();
      backend.expectOne(`${API}/orders`).error(new ProgressEvent('error'));
      expect((outcome.errors[0] as HttpErrorResponse).status).toBe(0);
      expect(session.rejections).toEqual([]);
    });

    it('when the refresh ends the session, every waiting request fails once with the same IdentityAuthError', async () => {
      const outcomes = Array.from({ length: 4 }, () => record(http.get(`${API}/orders`)));
      await settle();
      for (const request of backend.match(`${API}/orders`)) unauthorized(request);
      await settle();
      const ended = new IdentityAuthError('login_required', 'the session has ended. Sign in again.', {
        step: 'refresh',
      });
      session.endSession(ended);
      await settle();
      backend.expectNone(`${API}/orders`);
      for (const outcome of outcomes) {
        expect(outcome.errors).toEqual([ended]);
        expect(outcome.errors[0]).toBe(ended);
        expect(outcome.values).toEqual([]);
      }
      expect(session.refreshes).toBe(1);
    });

    it('unsubscribing while waiting for the refresh cancels that request only, not the refresh', async () => {
      const kept = record(http.get(`${API}/kept`));
      const dropped = record(http.get(`${API}/dropped`));
      await settle();
      unauthorized(backend.expectOne(`${API}/kept`));
      unauthorized(backend.expectOne(`${API}/dropped`));
      await settle();
      dropped.subscription.unsubscribe();
      expect(session.refreshing).toBeTrue();
      session.completeRefresh('token-2');
      await settle();
      backend.expectNone(`${API}/dropped`);
      backend.expectOne(`${API}/kept`).flush({ ok: true });
      expect(kept.values).toEqual([{ ok: true }]);
      expect(dropped.values).toEqual([]);
      expect(dropped.errors).toEqual([]);
    });

    it('the replay keeps method, body, headers, params, context and options', async () => {
      const MARK = new HttpContextToken<string>(() => 'none');
      const context = new HttpContext().set(MARK, 'kept');
      const body = { amount: 3 };
      record(
        http.put(`${API}/orders/7`, body, {
          headers: new HttpHeaders({ 'X-Request-Id': 'r-1' }),
          params: new HttpParams().set('dry', 'true'),
          context,
          withCredentials: true,
          responseType: 'text',
        }),
      );
      await settle();
      const first = backend.expectOne(`${API}/orders/7?dry=true`);
      unauthorized(first);
      await settle();
      session.completeRefresh('token-2');
      await settle();
      const replay = backend.expectOne(`${API}/orders/7?dry=true`);
      const [a, b] = [first.request, replay.request];
      expect(b.method).toBe('PUT');
      expect(b.body).toBe(body);
      expect(b.headers.get('X-Request-Id')).toBe('r-1');
      expect(b.params.get('dry')).toBe('true');
      expect(b.context.get(MARK)).toBe('kept');
      expect(b.withCredentials).toBeTrue();
      expect(b.responseType).toBe('text');
      expect(b.headers.get('Authorization')).toBe('Bearer token-2');
      expect(a.headers.get('Authorization')).toBe('Bearer token-1');
      replay.flush('done');
    });

    it('passes progress events through and hides only the rejected answer of the replayed request', async () => {
      const outcome = record(
        http.post(`${API}/upload`, 'data', { observe: 'events', reportProgress: true, responseType: 'text' }),
      );
      await settle();
      const first = backend.expectOne(`${API}/upload`);
      first.event({ type: HttpEventType.UploadProgress, loaded: 4, total: 4 });
      first.event(new HttpHeaderResponse({ status: 401, statusText: 'Unauthorized', url: `${API}/upload` }));
      first.event({ type: HttpEventType.DownloadProgress, loaded: 10 });
      unauthorized(first);
      await settle();
      session.completeRefresh('token-2');
      await settle();
      const replay = backend.expectOne(`${API}/upload`);
      replay.event({ type: HttpEventType.UploadProgress, loaded: 4, total: 4 });
      replay.event(new HttpHeaderResponse({ status: 200, statusText: 'OK', url: `${API}/upload` }));
      replay.event({ type: HttpEventType.DownloadProgress, loaded: 2 });
      replay.flush('ok');
      const types = (outcome.values as HttpEvent<unknown>[]).map((e) => HttpEventType[e.type]);
      expect(types).toEqual([
        'Sent',
        'UploadProgress',
        'Sent',
        'UploadProgress',
        'ResponseHeader',
        'DownloadProgress',
        'Response',
      ]);
      expect(outcome.errors).toEqual([]);
    });
  });

  describe('redirects', () => {
    // Browsers follow redirects inside fetch/XHR; the Fetch standard (HTTP-redirect fetch)
    // drops the Authorization header when a redirect crosses origins. What the library
    // controls: the token goes only where the request URL points, and a 401 that came
    // from another origin after a redirect is not a verdict on our token.
    it('passes through a 401 answered by another origin after a redirect, without a refresh or replay', async () => {
      const seen: string[] = [];
      const redirectedTo401: HttpInterceptorFn = (request) => {
        seen.push(`${request.url} ${request.headers.get('Authorization')}`);
        return rejectedBy('https://login.evil.test/landing');
      };
      TestBed.resetTestingModule();
      setUp({}, [], [redirectedTo401]);
      const outcome = record(http.get(`${API}/orders`));
      await settle();
      expect(seen).toEqual([`${API}/orders Bearer token-1`]);
      expect((outcome.errors[0] as HttpErrorResponse).url).toBe('https://login.evil.test/landing');
      expect(session.rejections).toEqual([]);
    });

    it('replays a 401 whose answer came from the protected API to the request URL only', async () => {
      const seen: string[] = [];
      let calls = 0;
      const sameOrigin401: HttpInterceptorFn = (request, next) => {
        seen.push(`${request.url} ${request.headers.get('Authorization')}`);
        return calls++ === 0 ? rejectedBy(`${API}/v2/orders`) : next(request);
      };
      TestBed.resetTestingModule();
      setUp({}, [], [sameOrigin401]);
      record(http.get(`${API}/orders`));
      await settle();
      session.completeRefresh('token-2');
      await settle();
      backend.expectOne(`${API}/orders`).flush({});
      expect(seen).toEqual([`${API}/orders Bearer token-1`, `${API}/orders Bearer token-2`]);
    });
  });

  describe('with a fresh token at hand (no promise before sending)', () => {
    /** The engine's fast path: `tokenAtHand()` answers while the token is fresh. */
    class SessionWithTokenAtHand extends FakeSession {
      override tokenAtHand(): string | undefined {
        return this.expired ? undefined : (this.current ?? undefined);
      }
    }

    function setUpAtHand(fns: HttpInterceptorFn[] = [], token = 'token-1'): SessionWithTokenAtHand {
      const atHand = new SessionWithTokenAtHand({ token });
      setUp({}, [{ provide: SessionAccess, useValue: atHand }], fns);
      session = atHand;
      return atHand;
    }

    it('sends at once with the token, asking for no promise', () => {
      setUpAtHand();
      const outcome = record(http.get(`${API}/orders`));
      const request = backend.expectOne(`${API}/orders`);
      expect(bearer(request)).toBe('Bearer token-1');
      request.flush({ ok: true });
      expect(outcome.values).toEqual([{ ok: true }]);
      expect(outcome.completed).toBeTrue();
      expect(session.tokenRequests).toBe(0);
    });

    it('replays a 401 once with the token of the shared refresh; a 401 on the replay reaches the caller', async () => {
      setUpAtHand();
      const outcome = record(http.get(`${API}/orders`, { observe: 'events', reportProgress: true }));
      const first = backend.expectOne(`${API}/orders`);
      first.event(new HttpHeaderResponse({ status: 401, statusText: 'Unauthorized', url: `${API}/orders` }));
      first.event({ type: HttpEventType.DownloadProgress, loaded: 10 });
      unauthorized(first);
      await settle();
      expect(session.rejections).toEqual(['token-1']);
      session.completeRefresh('token-2');
      await settle();
      const replay = backend.expectOne(`${API}/orders`);
      expect(bearer(replay)).toBe('Bearer token-2');
      unauthorized(replay);
      await settle();
      expect((outcome.errors[0] as HttpErrorResponse).status).toBe(401);
      expect(session.refreshes).toBe(1);
      // each request going out, and no part of the 401 that was replayed
      const types = (outcome.values as HttpEvent<unknown>[]).map((e) => HttpEventType[e.type]);
      expect(types).toEqual(['Sent', 'Sent']);
    });

    it('passes other errors through untouched', () => {
      setUpAtHand();
      const outcome = record(http.get(`${API}/orders`));
      backend.expectOne(`${API}/orders`).flush('no', { status: 500, statusText: 'Server Error' });
      expect((outcome.errors[0] as HttpErrorResponse).status).toBe(500);
      expect(session.rejections).toEqual([]);
    });

    it('unsubscribing before the answer cancels the request that went out', () => {
      setUpAtHand();
      const outcome = record(http.get(`${API}/orders`));
      const request = backend.expectOne(`${API}/orders`);
      outcome.subscription.unsubscribe();
      expect(request.cancelled).toBeTrue();
    });

    it('sends anew, with the token, each time an outer interceptor subscribes again', () => {
      const retryOnce: HttpInterceptorFn = (request, next) => next(request).pipe(retry(1));
      TestBed.configureTestingModule({
        providers: [
          provideHttpClient(withInterceptors([retryOnce, identityAuthInterceptor])),
          provideHttpClientTesting(),
          { provide: SessionAccess, useValue: new SessionWithTokenAtHand() },
          {
            provide: IDENTITY_AUTH_HTTP_SETTINGS,
            useValue: { apis: [API], identityBaseUrl: location.origin, waitForRestore: false },
          },
        ],
      });
      http = TestBed.inject(HttpClient);
      backend = TestBed.inject(HttpTestingController);
      const outcome = record(http.get(`${API}/orders`));
      const first = backend.expectOne(`${API}/orders`);
      expect(bearer(first)).toBe('Bearer token-1');
      first.flush('busy', { status: 503, statusText: 'Unavailable' });
      const second = backend.expectOne(`${API}/orders`);
      expect(bearer(second)).toBe('Bearer token-1');
      second.flush({ ok: true });
      expect(outcome.values).toEqual([{ ok: true }]);
    });

    it('lets SKIP_IDENTITY_AUTH set to false change nothing', () => {
      setUpAtHand();
      record(http.get(`${API}/orders`, { context: new HttpContext().set(SKIP_IDENTITY_AUTH, false) }));
      const request = backend.expectOne(`${API}/orders`);
      expect(bearer(request)).toBe('Bearer token-1');
      request.flush({});
    });

    it("uses each injector's own session, also after the first request of another", () => {
      setUpAtHand();
      const other = new SessionWithTokenAtHand({ token: 'other-1' });
      const child = createEnvironmentInjector(
        [
          provideHttpClient(withInterceptors([identityAuthInterceptor])),
          provideHttpClientTesting(),
          { provide: SessionAccess, useValue: other },
        ],
        TestBed.inject(EnvironmentInjector),
      );
      const childHttp = child.get(HttpClient);
      const childBackend = child.get(HttpTestingController);
      for (const [client, controller, token] of [
        [http, backend, 'token-1'],
        [childHttp, childBackend, 'other-1'],
        [http, backend, 'token-1'],
        [childHttp, childBackend, 'other-1'],
      ] as const) {
        record(client.get(`${API}/orders`));
        const request = controller.expectOne(`${API}/orders`);
        expect(bearer(request)).toBe(`Bearer ${token}`);
        request.flush({});
      }
      childBackend.verify();
      child.destroy();
    });
  });

  it('without the library configured, fails each request with an error that names the fix', () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([identityAuthInterceptor])), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    const outcome = record(http.get('/anything'));
    expect(String(outcome.errors[0])).toContain('b2trader.identity.auth: identityAuthInterceptor');
    expect(String(outcome.errors[0])).toContain('provideIdentityAuth(');
    backend.expectNone('/anything');
  });

  describe('IdentityAuthInterceptor (the class form, through HTTP_INTERCEPTORS)', () => {
    beforeEach(() => {
      session = new FakeSession();
      TestBed.configureTestingModule({
        providers: [
          provideHttpClient(withInterceptorsFromDi()),
          provideHttpClientTesting(),
          { provide: HTTP_INTERCEPTORS, useClass: IdentityAuthInterceptor, multi: true },
          { provide: SessionAccess, useValue: session },
          {
            provide: IDENTITY_AUTH_HTTP_SETTINGS,
            useValue: { apis: [API], identityBaseUrl: location.origin, waitForRestore: false },
          },
        ],
      });
      http = TestBed.inject(HttpClient);
      backend = TestBed.inject(HttpTestingController);
    });

    it('adds the token, and replays a 401 once after the shared refresh', async () => {
      const outcome = record(http.get(`${API}/orders`));
      await settle();
      const first = backend.expectOne(`${API}/orders`);
      expect(bearer(first)).toBe('Bearer token-1');
      unauthorized(first);
      await settle();
      session.completeRefresh('token-2');
      await settle();
      const replay = backend.expectOne(`${API}/orders`);
      expect(bearer(replay)).toBe('Bearer token-2');
      replay.flush({ ok: true });
      expect(outcome.values).toEqual([{ ok: true }]);
    });

    it('leaves other origins alone', () => {
      record(http.get('https://elsewhere.test/x'));
      const request = backend.expectOne('https://elsewhere.test/x');
      expect(request.request.headers.has('Authorization')).toBeFalse();
      request.flush({});
    });
  });
});

/** Fails at once with a 401 whose answer came from `url` (where a redirect ended). */
function rejectedBy(url: string): Observable<never> {
  return throwError(() => new HttpErrorResponse({ status: 401, statusText: 'Unauthorized', url }));
}
