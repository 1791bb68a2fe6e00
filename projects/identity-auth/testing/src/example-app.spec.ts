// An app's own unit tests with b2trader.identity.auth/testing: no identity server;
// the library's real IdentityAuthService and interceptor over a session the test drives.
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component, inject, Injectable } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import {
  IdentityAuthError,
  type IdentityAuthEvent,
  identityAuthInterceptor,
  IdentityAuthService,
  isIdentityAuthError,
} from 'b2trader.identity.auth';
import { IdentityAuthTestingController, provideIdentityAuthTesting } from 'b2trader.identity.auth/testing';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';

/** The app's code under test: a service that calls the API and never thinks about tokens… */
@Injectable({ providedIn: 'root' })
class OrdersApi {
  private readonly http = inject(HttpClient);
  list() {
    return firstValueFrom(this.http.get<{ id: number }[]>('/api/orders'));
  }
}

/** …and a component that shows the session. */
@Component({
  selector: 'app-account',
  template: `@if (auth.session(); as session) {
      <span>{{ session.account.email }}</span> <button (click)="signOut()">Sign out</button>
    } @else {
      <span>signed out</span>
    }`,
})
class AccountBadge {
  readonly auth = inject(IdentityAuthService);
  signOut(): void {
    this.auth.signOut().subscribe();
  }
}

describe('an app tested with b2trader.identity.auth/testing', () => {
  let identity: IdentityAuthTestingController;
  let backend: HttpTestingController;

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
  });

  afterEach(() => {
    backend.verify();
    identity.verify();
  });

  it('sends the token', async () => {
    const orders = TestBed.inject(OrdersApi).list();
    await identity.settle(); // the interceptor asks the session asynchronously
    const request = backend.expectOne('/api/orders');
    expect(request.request.headers.get('Authorization')).toBe(`Bearer ${identity.accessToken()}`);
    request.flush([{ id: 1 }]);
    expect(await orders).toEqual([{ id: 1 }]);
  });

  it('survives an expired token and a 401', async () => {
    identity.expireAccessToken();
    const orders = TestBed.inject(OrdersApi).list();
    await identity.settle();
    backend.expectOne('/api/orders').flush(null, { status: 401, statusText: 'Unauthorized' });
    await identity.settle();
    backend.expectOne('/api/orders').flush([]);
    expect(await orders).toEqual([]);
    expect(identity.refreshCount).toBe(2);
  });

  it('shows the session-ended error', async () => {
    const events: IdentityAuthEvent['type'][] = [];
    TestBed.inject(IdentityAuthService).events$.subscribe((event) => events.push(event.type));
    identity.expireAccessToken();
    identity.failNextRefresh(); // for good; { transient: true } keeps the session
    const failed = TestBed.inject(OrdersApi)
      .list()
      .catch((error: unknown) => error);
    await identity.settle();
    expect(isIdentityAuthError(await failed, 'login_required')).toBeTrue();
    expect(events).toEqual(['refreshFailed', 'sessionExpired']);
    expect(identity.sessionEndCount).toBe(1);
  });

  it('shows the account, and signs out with the button', async () => {
    const fixture = TestBed.createComponent(AccountBadge);
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('trader@example.com');
    fixture.nativeElement.querySelector('button').click();
    await identity.settle();
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('signed out');
  });

  it('follows a sign-out in another tab', async () => {
    const fixture = TestBed.createComponent(AccountBadge);
    await fixture.whenStable();
    identity.signOut('other-tab');
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('signed out');
  });

  it('logs in with a second factor', async () => {
    identity.signOut();
    identity.answerNextLogin({ secondFactor: true });
    const auth = TestBed.inject(IdentityAuthService);
    const first = await lastValueFrom(auth.login('2fa@example.com', 'secret').pipe(toArray()));
    expect(first.map((step) => step.step)).toEqual(['signing-in', 'second-factor-required']);
    const rest = await lastValueFrom(auth.continueLogin().pipe(toArray()));
    expect(rest.map((step) => step.step)).toEqual(['authorizing', 'exchanging', 'signed-in']);
    expect(auth.session()?.account.email).toBe('2fa@example.com');
  });

  it('reports a wrong password', async () => {
    identity.signOut();
    identity.answerNextLogin({ error: new IdentityAuthError('invalid_credentials', 'wrong email or password') });
    const auth = TestBed.inject(IdentityAuthService);
    const error = await lastValueFrom(auth.login('trader@example.com', 'wrong')).catch((e: unknown) => e);
    expect(isIdentityAuthError(error, 'invalid_credentials')).toBeTrue();
    expect(auth.status()).toBe('signed-out');
  });
});
