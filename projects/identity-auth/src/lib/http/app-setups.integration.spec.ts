// Integration (real Chromium, the real emulator through the Karma proxy, the real
// session engine): whole apps, bootstrapped the two documented ways, call the
// protected API through HttpClient after login().
import {
  HttpClient,
  HttpErrorResponse,
  provideHttpClient,
  withInterceptors,
  withInterceptorsFromDi,
} from '@angular/common/http';
import { type ApplicationRef, Component, NgModule, type NgModuleRef, PlatformRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserModule, bootstrapApplication } from '@angular/platform-browser';
import { isIdentityAuthError } from 'b2trader.identity.auth/core';
import { firstValueFrom, lastValueFrom, type Subscription, toArray } from 'rxjs';

import { IdentityAuthModule } from '../identity-auth.module';
import { IdentityAuthService } from '../identity-auth.service';
import { provideIdentityAuth } from '../providers';
import { arm, cleanSlate, requireEmulator, revokeGrants, stats, TRADER, until } from '../testing-support/emulator-tabs';
import { identityAuthInterceptor } from './interceptor';

const FRONT_OFFICE = '/api/frontoffice/v1/account';
const BACK_OFFICE = '/api/backoffice/v1/users';
const CONFIG = { url: '/', clientId: 'spa', apis: ['/api/'] };

@Component({ selector: 'ia-http-root', template: '' })
class Root {}

// eslint-disable-next-line @angular-eslint/prefer-standalone -- NgModule bootstrap needs a declared component
@Component({ selector: 'ia-http-root', template: '', standalone: false })
class ModuleRoot {}

@NgModule({
  declarations: [ModuleRoot],
  imports: [BrowserModule, IdentityAuthModule.forRoot(CONFIG)],
  providers: [provideHttpClient(withInterceptorsFromDi())],
  bootstrap: [ModuleRoot],
})
class AppModule {}

interface App {
  get<T>(token: abstract new (...args: never[]) => T): T;
  destroy(): void;
}

function hostElement(): void {
  document.body.appendChild(document.createElement('ia-http-root'));
}

async function standaloneApp(): Promise<App> {
  hostElement();
  const app: ApplicationRef = await bootstrapApplication(Root, {
    providers: [provideIdentityAuth(CONFIG), provideHttpClient(withInterceptors([identityAuthInterceptor]))],
  });
  return { get: (token) => app.injector.get(token), destroy: () => app.destroy() };
}

async function ngModuleApp(): Promise<App> {
  hostElement();
  const ref: NgModuleRef<AppModule> = await TestBed.inject(PlatformRef).bootstrapModule(AppModule);
  return { get: (token) => ref.injector.get(token), destroy: () => ref.destroy() };
}

async function signedIn(app: App): Promise<void> {
  const auth = app.get(IdentityAuthService);
  await auth.restore();
  await lastValueFrom(auth.login(TRADER.email, TRADER.password).pipe(toArray()));
}

const refreshes = async () => (await stats()).tokenRequests['refresh_token'] ?? 0;
const apiOk = async () => ((await (await fetch('/__stats')).json()) as { api: { ok: number } }).api.ok;
const apiCalls = async () => (await stats()).requests[`GET ${FRONT_OFFICE}`] ?? 0;

describe('integration: the interceptor in whole apps against the emulator', () => {
  let app: App | undefined;

  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(() => {
    app?.destroy();
    app = undefined;
    document.querySelectorAll('ia-http-root').forEach((element) => element.remove());
  });

  for (const [name, bootstrap] of [
    ['a standalone app (provideIdentityAuth + withInterceptors)', standaloneApp],
    ['an NgModule app (IdentityAuthModule.forRoot + withInterceptorsFromDi)', ngModuleApp],
  ] as const) {
    it(`${name} calls the API with the token after login()`, async () => {
      app = await bootstrap();
      await signedIn(app);
      const http = app.get(HttpClient);
      const account = await firstValueFrom(http.get<{ sub?: string }>(FRONT_OFFICE));
      expect(account).toBeTruthy();
      expect(await apiOk()).toBe(1);
    });
  }

  it('a slow identity service delays the first render by one time limit at most; restore goes on behind it', async () => {
    // An identity session (the cookie) without tokens: restore needs authorize + code exchange.
    app = await standaloneApp();
    await signedIn(app);
    app.destroy();
    await arm({ path: '/identity/connect/authorize', mode: 'delay', ms: 1_200 });
    await arm({ path: '/identity/connect/token', mode: 'delay', ms: 1_200 });
    hostElement();
    const started = Date.now();
    const ref = await bootstrapApplication(Root, {
      providers: [provideIdentityAuth({ ...CONFIG, timeoutMs: 1_500 })],
    });
    app = { get: (token) => ref.injector.get(token), destroy: () => ref.destroy() };
    const auth = app.get(IdentityAuthService);
    // Rendered after the 1.5 s limit, before the 2.4 s that restore needs.
    expect(auth.status()).toBe('unknown');
    await until(() => auth.status() === 'signed-in', 'restore to finish behind the render');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_400);
  });

  it('200 concurrent requests refused with 401 → exactly one refresh and 200 successes', async () => {
    app = await standaloneApp();
    await signedIn(app);
    const before = await refreshes();
    await arm({ path: FRONT_OFFICE, mode: 'respond', status: 401, json: { error: 'invalid_token' }, count: 200 });
    const http = app.get(HttpClient);
    const answers = await Promise.all(Array.from({ length: 200 }, () => firstValueFrom(http.get(FRONT_OFFICE))));
    expect(answers.length).toBe(200);
    expect((await refreshes()) - before).toBe(1);
    expect(await apiOk()).toBe(200);
  });

  it('a spa token on the BackOffice API → 403 to the caller and no refresh', async () => {
    app = await standaloneApp();
    await signedIn(app);
    const before = await refreshes();
    const error = await firstValueFrom(app.get(HttpClient).get(BACK_OFFICE)).catch((e: unknown) => e);
    expect(error instanceof HttpErrorResponse && error.status).toBe(403);
    expect(await refreshes()).toBe(before);
  });

  it('a revoked session without an identity session → each waiting request fails once, the session ends once', async () => {
    app = await standaloneApp();
    await signedIn(app);
    const auth = app.get(IdentityAuthService);
    const expired: unknown[] = [];
    const events = auth.events$.subscribe((event) => event.type === 'sessionExpired' && expired.push(event));
    await revokeGrants(true);
    await arm({ path: FRONT_OFFICE, mode: 'respond', status: 401, json: { error: 'invalid_token' }, count: 5 });
    const http = app.get(HttpClient);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => firstValueFrom(http.get(FRONT_OFFICE)).catch((e: unknown) => e)),
    );
    events.unsubscribe();
    expect(results.every((error) => isIdentityAuthError(error, 'login_required'))).toBeTrue();
    expect(new Set(results).size).toBe(1);
    expect(expired.length).toBe(1);
    expect(auth.status()).toBe('signed-out');
    expect(await apiCalls()).toBe(5);
  });

  it('unsubscribing while a request waits for the refresh cancels that request only', async () => {
    app = await standaloneApp();
    await signedIn(app);
    await arm({ path: FRONT_OFFICE, mode: 'respond', status: 401, json: { error: 'invalid_token' }, count: 3 });
    await arm({ path: '/identity/connect/token', mode: 'delay', ms: 1000 });
    const http = app.get(HttpClient);
    const results: unknown[] = [];
    const subscriptions: Subscription[] = Array.from({ length: 3 }, () =>
      http.get(FRONT_OFFICE).subscribe({ next: (v) => results.push(v), error: (e) => results.push(e) }),
    );
    await until(async () => (await apiCalls()) === 3, 'three refused requests');
    subscriptions[1].unsubscribe();
    await until(() => results.length === 2, 'two answers');
    expect(results.some((r) => r instanceof HttpErrorResponse || isIdentityAuthError(r))).toBeFalse();
    expect(await apiCalls()).toBe(5);
  });
});
