// The testing kit used exactly as an app's own spec would use it: only the package's
// public entry points, a component-free service of the "app", HttpTestingController.
import {
  HttpClient,
  HttpErrorResponse,
  provideHttpClient,
  withInterceptors,
  withInterceptorsFromDi,
} from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component, inject, Injectable } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import {
  type IdentityAuthEvent,
  identityAuthGuard,
  identityAuthInterceptor,
  IdentityAuthService,
} from 'b2trader.identity.auth';
import { isIdentityAuthError } from 'b2trader.identity.auth/core';
import { IdentityAuthTestingController, provideIdentityAuthTesting } from 'b2trader.identity.auth/testing';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';

/** The app's code under test: it never thinks about tokens. */
@Injectable({ providedIn: 'root' })
class OrdersApi {
  private readonly http = inject(HttpClient);
  list() {
    return firstValueFrom(this.http.get<{ id: number }[]>('/api/orders'));
  }
}

@Component({ template: '' })
class Page {}

describe('b2trader.identity.auth/testing, as an app uses it', () => {
  let identity: IdentityAuthTestingController;
  let backend: HttpTestingController;
  let orders: OrdersApi;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([identityAuthInterceptor])),
        provideHttpClientTesting(),
        provideIdentityAuthTesting({ apis: ['/api'], signedInAs: { email: 'trader@example.com' } }),
      ],
    });
    identity = TestBed.inject(IdentityAuthTestingController);
    backend = TestBed.inject(HttpTestingController);
    orders = TestBed.inject(OrdersApi);
  });

  afterEach(() => {
    backend.verify();
    identity.verify();
  });

  it('sends the signed-in session’s token to the API', async () => {
    const result = orders.list();
    await identity.settle();
    const request = backend.expectOne('/api/orders');
    expect(request.request.headers.get('Authorization')).toBe(`Bearer ${identity.accessToken()}`);
    request.flush([{ id: 1 }]);
    expect(await result).toEqual([{ id: 1 }]);
  });

  it('refreshes an expired token once for concurrent requests', async () => {
    const before = identity.accessToken();
    identity.expireAccessToken();
    const results = [orders.list(), orders.list(), orders.list()];
    await identity.settle();
    const requests = backend.match('/api/orders');
    expect(requests.length).toBe(3);
    expect(identity.refreshCount).toBe(1);
    expect(identity.accessToken()).not.toBe(before);
    for (const request of requests) {
      expect(request.request.headers.get('Authorization')).toBe(`Bearer ${identity.accessToken()}`);
      request.flush([]);
    }
    expect(await Promise.all(results)).toEqual([[], [], []]);
  });

  it('replays a request the API rejected with 401 once, with a fresh token', async () => {
    const result = orders.list();
    await identity.settle();
    backend.expectOne('/api/orders').flush(null, { status: 401, statusText: 'Unauthorized' });
    await identity.settle();
    const replay = backend.expectOne('/api/orders');
    expect(replay.request.headers.get('Authorization')).toBe(`Bearer ${identity.accessToken()}`);
    replay.flush([{ id: 2 }]);
    expect(await result).toEqual([{ id: 2 }]);
    expect(identity.refreshCount).toBe(1);
  });

  it('a transient refresh failure reaches the caller as a transient error and keeps the session', async () => {
    identity.expireAccessToken();
    identity.failNextRefresh({ transient: true });
    const failed = orders.list().catch((error: unknown) => error);
    await identity.settle();
    backend.expectNone('/api/orders');
    const error = await failed;
    expect(isIdentityAuthError(error, 'network')).toBeTrue();
    expect((error as { transient: boolean }).transient).toBeTrue();

    const retried = orders.list();
    await identity.settle();
    backend.expectOne('/api/orders').flush([]);
    expect(await retried).toEqual([]);
    expect(identity.refreshCount).toBe(2);
    expect(identity.sessionEndCount).toBe(0);
  });

  it('a refresh that fails for good fails every waiting request with one error and ends the session once', async () => {
    const results = [orders.list(), orders.list()].map((p) => p.catch((error: unknown) => error));
    await identity.settle();
    identity.failNextRefresh();
    for (const request of backend.match('/api/orders')) {
      request.flush(null, { status: 401, statusText: 'Unauthorized' });
    }
    await identity.settle();
    const [a, b] = await Promise.all(results);
    expect(isIdentityAuthError(a, 'login_required')).toBeTrue();
    expect(b).toBe(a);
    expect(identity.sessionEndCount).toBe(1);
    expect(identity.accessToken()).toBeNull();
  });

  it('after signOut() requests go out without a token and their 401 reaches the caller', async () => {
    identity.signOut();
    const result = orders.list().catch((error: unknown) => error);
    await identity.settle();
    const request = backend.expectOne('/api/orders');
    expect(request.request.headers.has('Authorization')).toBeFalse();
    request.flush(null, { status: 401, statusText: 'Unauthorized' });
    expect(((await result) as HttpErrorResponse).status).toBe(401);
  });

  it('verify() reports an armed failure that no refresh used', () => {
    identity.failNextRefresh();
    expect(() => identity.verify()).toThrowError(/failNextRefresh\(\) was armed/);
    // disarm it the way a test would: run the refresh it was meant for
    identity.expireAccessToken();
    const done = orders.list().catch(() => undefined);
    return identity.settle().then(() => done);
  });
});

describe('b2trader.identity.auth/testing with the guard and a pending restore', () => {
  it('holds navigation until finishRestore(), then lets the account through', async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'orders', component: Page, canActivate: [identityAuthGuard] }]),
        provideIdentityAuthTesting({ restored: false }),
      ],
    });
    const identity = TestBed.inject(IdentityAuthTestingController);
    const router = TestBed.inject(Router);
    const navigation = router.navigateByUrl('/orders');
    await identity.settle();
    expect(router.url).toBe('/');
    identity.finishRestore({ email: 'trader@example.com' });
    expect(await navigation).toBeTrue();
    expect(router.url).toBe('/orders');
  });
});

describe('b2trader.identity.auth/testing in an app that uses withInterceptorsFromDi()', () => {
  it('registers the class interceptor with interceptorFromDi: true', async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptorsFromDi()),
        provideHttpClientTesting(),
        provideIdentityAuthTesting({ apis: ['/api'], signedInAs: {}, interceptorFromDi: true }),
      ],
    });
    const identity = TestBed.inject(IdentityAuthTestingController);
    const backend = TestBed.inject(HttpTestingController);
    const result = TestBed.inject(OrdersApi).list();
    await identity.settle();
    const request = backend.expectOne('/api/orders');
    expect(request.request.headers.get('Authorization')).toBe(`Bearer ${identity.accessToken()}`);
    request.flush([]);
    expect(await result).toEqual([]);
    backend.verify();
  });
});

describe('b2trader.identity.auth/testing: IdentityAuthService over the fake session', () => {
  let identity: IdentityAuthTestingController;
  let auth: IdentityAuthService;
  let events: IdentityAuthEvent[];

  function setUp(options: Parameters<typeof provideIdentityAuthTesting>[0]): void {
    TestBed.configureTestingModule({ providers: [provideIdentityAuthTesting(options)] });
    identity = TestBed.inject(IdentityAuthTestingController);
    auth = TestBed.inject(IdentityAuthService);
    events = [];
    auth.events$.subscribe((event) => events.push(event));
  }

  afterEach(() => identity.verify());

  it('is the library’s own service class, driven by the controller, with events that carry time and origin', async () => {
    setUp({ restored: false });
    expect(auth).toBeInstanceOf(IdentityAuthService);
    expect(auth.status()).toBe('unknown');
    const restored = auth.restore();
    identity.finishRestore({ email: 'trader@example.com', scope: 'FrontOffice' });
    await restored;
    expect(auth.status()).toBe('signed-in');
    expect(auth.isAuthenticated()).toBeTrue();
    expect(auth.session()).toEqual(
      jasmine.objectContaining({ subject: 'test-user', clientId: 'spa', scope: ['FrontOffice'] }),
    );
    expect(await firstValueFrom(auth.isAuthenticated$)).toBeTrue();
    expect(await firstValueFrom(auth.status$)).toBe('signed-in');

    identity.signOut('other-tab');
    expect(auth.session()).toBeNull();
    expect(events.map((e) => [e.type, e.origin])).toEqual([
      ['signedIn', 'this-tab'],
      ['signedOut', 'other-tab'],
    ]);
    expect(events[0]).toEqual(jasmine.objectContaining({ via: 'restore' }));
    for (const event of events) expect(Math.abs(event.at - Date.now())).toBeLessThan(5_000);
    expect(JSON.stringify(events)).not.toContain('test-access-token');
  });

  it('getAccessToken() gives the current token, and refreshes an expired one once (event refreshed)', async () => {
    setUp({ signedInAs: {} });
    expect(await auth.getAccessToken()).toBe(identity.accessToken());
    identity.expireAccessToken();
    const [a, b] = await Promise.all([auth.getAccessToken(), firstValueFrom(auth.accessToken$())]);
    expect(a).toBe(identity.accessToken());
    expect(b).toBe(a);
    expect(identity.refreshCount).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['refreshed']);
  });

  it('refreshToken() with a transient failure: refreshFailed (transient, retryInMs), the session stays', async () => {
    setUp({ signedInAs: {} });
    identity.failNextRefresh({ transient: true });
    const error = await firstValueFrom(auth.refreshToken()).catch((e: unknown) => e);
    expect(isIdentityAuthError(error, 'network')).toBeTrue();
    expect(events).toEqual([jasmine.objectContaining({ type: 'refreshFailed', transient: true, retryInMs: 1_000 })]);
    expect(auth.status()).toBe('signed-in');
    expect(identity.sessionEndCount).toBe(0);
  });

  it('login() walks the chain, a double click joins it: one session, one signedIn', async () => {
    setUp({});
    const [first, second] = await Promise.all([
      lastValueFrom(auth.login('trader@example.com', 'pw').pipe(toArray())),
      lastValueFrom(auth.login('trader@example.com', 'pw').pipe(toArray())),
    ]);
    expect(first.map((s) => s.step)).toEqual(['signing-in', 'authorizing', 'exchanging', 'signed-in']);
    expect(second).toEqual(first);
    expect(events.map((e) => e.type)).toEqual(['signedIn']);
    expect(auth.session()?.account.email).toBe('trader@example.com');
  });

  it('the service’s signOut() ends the session with signedOut (server notified)', async () => {
    setUp({ signedInAs: {} });
    expect(await firstValueFrom(auth.signOut())).toEqual({ serverNotified: true });
    expect(auth.status()).toBe('signed-out');
    expect(identity.accessToken()).toBeNull();
    expect(events).toEqual([jasmine.objectContaining({ type: 'signedOut', serverNotified: true, origin: 'this-tab' })]);
  });

  it('verify() reports an answerNextLogin() that no login used', () => {
    setUp({});
    identity.answerNextLogin({ secondFactor: true });
    expect(() => identity.verify()).toThrowError(/answerNextLogin\(\) was armed/);
    return lastValueFrom(auth.login('a@example.com', 'pw').pipe(toArray()));
  });
});
