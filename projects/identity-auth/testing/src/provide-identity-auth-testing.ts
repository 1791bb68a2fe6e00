/**
 * `provideIdentityAuthTesting()`: the session of `b2trader.identity.auth` for an
 * app's own unit tests, without a server.
 */
import { HTTP_INTERCEPTORS } from '@angular/common/http';
import { DOCUMENT, type EnvironmentProviders, inject, makeEnvironmentProviders, type Provider } from '@angular/core';
import { IdentityAuthInterceptor, type ɵIdentityAuthHttpSettings, ɵprovideSessionDriver } from 'b2trader.identity.auth';

import { FakeIdentitySession, type TestAccount } from './fake-identity-session';
import { IdentityAuthTestingController } from './identity-auth-testing-controller';

/** Options of {@link provideIdentityAuthTesting}. */
export interface IdentityAuthTestingOptions {
  /** As `config.apis`: which URLs get the token. Default none, as in the real configuration. */
  readonly apis?: readonly string[];
  /** The identity service's base URL (its `/identity` endpoints never get a token). Default: the page's origin. */
  readonly identityBaseUrl?: string;
  /** Protected requests wait for restore, as with the real option. Default `false`. */
  readonly waitForRestore?: boolean;
  /** Start signed in as this account. Default: signed out. */
  readonly signedInAs?: TestAccount;
  /** `false` keeps status `unknown` until `finishRestore()` (to test guards and waiting requests). Default `true`. */
  readonly restored?: boolean;
  /** Client id of test sessions; decides the default scopes. Default `spa`. */
  readonly clientId?: string;
  /** Lifetime of each fake access token. Default 30 000 ms. */
  readonly accessTokenLifetimeMs?: number;
  /**
   * Also register the class `IdentityAuthInterceptor` in `HTTP_INTERCEPTORS`, for tests of
   * apps that provide `HttpClient` with `withInterceptorsFromDi()`. Default `false`: list
   * `identityAuthInterceptor` in `withInterceptors([...])` as the app does.
   */
  readonly interceptorFromDi?: boolean;
}

/** The controller's face of the fake session (its `signOut()` is the session's control, not the service's). */
function controllerOf(fake: FakeIdentitySession): IdentityAuthTestingController {
  return {
    signInAs: (account) => fake.signInAs(account),
    signOut: (origin) => fake.signOutNow(origin),
    finishRestore: (account) => fake.finishRestore(account),
    expireAccessToken: () => fake.expireAccessToken(),
    failNextRefresh: (failure) => fake.failNextRefresh(failure),
    answerNextLogin: (answer) => fake.answerNextLogin(answer),
    accessToken: () => fake.accessToken(),
    get refreshCount() {
      return fake.refreshCount;
    },
    get sessionEndCount() {
      return fake.sessionEndCount;
    },
    settle: () => fake.settle(),
    verify: () => fake.verify(),
  };
}

/**
 * Provides a controllable fake session in place of the real engine, under the real
 * `IdentityAuthService`, interceptor and guard: components that inject
 * `IdentityAuthService` run without a server. Drive it with {@link IdentityAuthTestingController}.
 *
 * @example
 * ```ts
 * TestBed.configureTestingModule({
 *   providers: [
 *     provideHttpClient(withInterceptors([identityAuthInterceptor])),
 *     provideHttpClientTesting(),
 *     provideIdentityAuthTesting({ apis: ['/api'], signedInAs: { email: 'trader@example.com' } }),
 *   ],
 * });
 * ```
 */
export function provideIdentityAuthTesting(options: IdentityAuthTestingOptions = {}): EnvironmentProviders {
  const providers: Provider[] = [
    {
      provide: FakeIdentitySession,
      useFactory: () => {
        const session = new FakeIdentitySession({
          clientId: options.clientId ?? 'spa',
          accessTokenLifetimeMs: options.accessTokenLifetimeMs ?? 30_000,
        });
        if (options.restored !== false) session.finishRestore(options.signedInAs ?? null);
        return session;
      },
    },
    // The one seam swapped: the real service, interceptor and guard over the fake session.
    ɵprovideSessionDriver(FakeIdentitySession, (): ɵIdentityAuthHttpSettings => ({
      apis: options.apis ?? [],
      identityBaseUrl: options.identityBaseUrl ?? inject(DOCUMENT).location?.origin ?? 'http://localhost',
      waitForRestore: options.waitForRestore ?? false,
    })),
    { provide: IdentityAuthTestingController, useFactory: () => controllerOf(inject(FakeIdentitySession)) },
  ];
  if (options.interceptorFromDi)
    providers.push({ provide: HTTP_INTERCEPTORS, useClass: IdentityAuthInterceptor, multi: true });
  return makeEnvironmentProviders(providers);
}
