// The page the browser benchmarks drive (not a bundle-size app): it exposes `window.bench`, whose functions the
// Node side calls through Playwright. Same origin as the emulator (the bench server proxies /identity and /api).
import {
  HttpBackend,
  HttpClient,
  HttpEvent,
  HttpInterceptorFn,
  HttpRequest,
  HttpResponse,
  provideHttpClient,
  withInterceptors,
  withInterceptorsFromDi,
} from '@angular/common/http';
import {
  ApplicationRef,
  Component,
  createEnvironmentInjector,
  EnvironmentInjector,
  EnvironmentProviders,
  Provider,
} from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { OAuthStorage, provideOAuthClient } from 'angular-oauth2-oidc';
import {
  createInterceptorCondition,
  INCLUDE_BEARER_TOKEN_INTERCEPTOR_CONFIG,
  includeBearerTokenInterceptor,
  type IncludeBearerTokenCondition,
} from 'keycloak-angular';
import Keycloak from 'keycloak-js';
import { IdentityAuthService, identityAuthInterceptor, provideIdentityAuth } from 'b2trader.identity.auth';
import {
  authorize,
  createIdentityClient,
  exchangeCode,
  refreshTokens,
  signIn,
  signOut,
} from 'b2trader.identity.auth/core';
import { IdentityAuth } from 'identity-auth-1.2';
import { firstValueFrom, lastValueFrom, Observable, of } from 'rxjs';

const API = '/api/frontoffice/v1/account';
const USER = { email: 'trader@example.com', password: 'Passw0rd!' };

@Component({ selector: 'app-root', template: `harness` })
class App {}

/**
 * A backend that answers every request at once, without a network, so that only the client-side cost remains:
 * 200 when the request carries a bearer token, 204 when not (to count the requests an interceptor really served).
 */
class NoopBackend implements HttpBackend {
  handle(req: HttpRequest<unknown>): Observable<HttpEvent<unknown>> {
    return of(new HttpResponse({ status: req.headers.has('Authorization') ? 200 : 204, body: '' }));
  }
}

/** The smallest useful interceptor, written by hand: the floor any library interceptor is compared with. */
const handWritten: HttpInterceptorFn = (req, next) =>
  req.url.startsWith('/api/') ? next(req.clone({ setHeaders: { Authorization: `Bearer ${handToken}` } })) : next(req);
let handToken = '';

type Variant = 'bare' | 'ours' | 'hand-written' | 'angular-oauth2-oidc' | 'keycloak-angular';

/**
 * A keycloak-js instance in the state its init() leaves after a sign-in (valid token, refresh token, no clock
 * skew), set by hand because the emulator is no Keycloak realm: its interceptor then runs its real path,
 * `updateToken()` finding the token fresh.
 */
function signedInKeycloak(token: string): Keycloak {
  const keycloak = new Keycloak({ url: `${location.origin}/identity`, realm: 'bench', clientId: 'spa' });
  Object.assign(keycloak, {
    authenticated: true,
    token,
    refreshToken: 'bench-refresh-token',
    tokenParsed: { exp: Math.floor(Date.now() / 1000) + 3600 },
    timeSkew: 0,
  });
  return keycloak;
}

function variantProviders(variant: Variant): (Provider | EnvironmentProviders)[] {
  const backend = { provide: HttpBackend, useClass: NoopBackend };
  switch (variant) {
    case 'bare':
      return [provideHttpClient(), backend];
    case 'ours':
      return [provideHttpClient(withInterceptors([identityAuthInterceptor])), backend];
    case 'hand-written':
      return [provideHttpClient(withInterceptors([handWritten])), backend];
    case 'angular-oauth2-oidc':
      return [
        provideHttpClient(withInterceptorsFromDi()),
        provideOAuthClient({ resourceServer: { allowedUrls: ['/api/'], sendAccessToken: true } }),
        backend,
      ];
    case 'keycloak-angular':
      return [
        provideHttpClient(withInterceptors([includeBearerTokenInterceptor])),
        { provide: Keycloak, useFactory: () => signedInKeycloak(handToken) },
        {
          provide: INCLUDE_BEARER_TOKEN_INTERCEPTOR_CONFIG,
          useValue: [createInterceptorCondition<IncludeBearerTokenCondition>({ urlPattern: /^\/api\// })],
        },
        backend,
      ];
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

bootstrapApplication(App, {
  providers: [
    provideIdentityAuth({ url: '/', clientId: 'spa', apis: ['/api/'] }),
    provideHttpClient(withInterceptors([identityAuthInterceptor])),
  ],
})
  .then((ref: ApplicationRef) => {
    const root = ref.injector;
    const auth = root.get(IdentityAuthService);
    const http = root.get(HttpClient);
    const injectors = new Map<Variant, EnvironmentInjector>();
    const injectorFor = (variant: Variant): EnvironmentInjector => {
      let injector = injectors.get(variant);
      if (!injector) {
        injector = createEnvironmentInjector(variantProviders(variant), root.get(EnvironmentInjector));
        injectors.set(variant, injector);
      }
      return injector;
    };

    const seen = { refreshed: 0, signedOutAt: 0 };
    auth.events$.subscribe((event) => {
      if (event.type === 'refreshed') seen.refreshed++;
      if (event.type === 'signedOut' && !seen.signedOutAt) seen.signedOutAt = Date.now();
    });

    const bench = {
      /** Refreshes this tab saw (its own and other tabs'), and when (epoch ms) a sign-out reached it. */
      seen(): { refreshed: number; signedOutAt: number; status: string } {
        return { ...seen, status: auth.status() };
      },
      /** One API request every `everyMs` for `forMs`, through the app's HttpClient: how many succeeded. */
      async poll(forMs: number, everyMs: number): Promise<{ ok: number; failed: number }> {
        let ok = 0;
        let failed = 0;
        const until = Date.now() + forMs;
        while (Date.now() < until) {
          await firstValueFrom(http.get(API, { responseType: 'text' })).then(
            () => ok++,
            () => failed++,
          );
          await new Promise((resolve) => setTimeout(resolve, everyMs));
        }
        return { ok, failed };
      },
      /** Signs in through the Angular service; resolves when the session holds tokens. */
      async login(): Promise<void> {
        await lastValueFrom(auth.login(USER.email, USER.password), { defaultValue: undefined });
        await auth.getAccessToken();
      },
      async logout(): Promise<void> {
        await firstValueFrom(auth.signOut(), { defaultValue: undefined });
      },
      /** `n` API requests at once through the app's HttpClient: how many succeeded, and each one's latency. */
      async burst(n: number): Promise<{ ok: number; failed: number; p50: number; p99: number }> {
        const latencies: number[] = [];
        let ok = 0;
        await Promise.all(
          Array.from({ length: n }, async () => {
            const started = performance.now();
            try {
              await firstValueFrom(http.get(API, { responseType: 'text' }));
              ok++;
            } catch {
              // counted below
            }
            latencies.push(performance.now() - started);
          }),
        );
        latencies.sort((a, b) => a - b);
        return { ok, failed: n - ok, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
      },
      /** Milliseconds for `n` requests through one variant's interceptors and a no-op backend, `batch` at a time. */
      async interceptorRound(variant: Variant, n: number, batch: number): Promise<{ ms: number; withToken: number }> {
        const token = (await auth.getAccessToken()) ?? '';
        handToken = token;
        const injector = injectorFor(variant);
        const client = injector.get(HttpClient);
        // angular-oauth2-oidc reads the token from its storage on every request.
        if (variant === 'angular-oauth2-oidc') injector.get(OAuthStorage).setItem('access_token', token);
        let withToken = 0;
        const started = performance.now();
        for (let done = 0; done < n; done += batch) {
          const answers = await Promise.all(
            Array.from({ length: Math.min(batch, n - done) }, () =>
              firstValueFrom(client.get(API, { observe: 'response', responseType: 'text' })),
            ),
          );
          withToken += answers.filter((a) => a.status === 200).length;
        }
        return { ms: performance.now() - started, withToken };
      },
      /** Sign-in → authorize → token → refresh with one client; milliseconds, then sign-out (not timed). */
      async loginChain(kind: 'core' | 'service' | 'v1.2'): Promise<number> {
        const started = performance.now();
        let elapsed: number;
        if (kind === 'core') {
          const client = createIdentityClient({ url: '/', clientId: 'spa' });
          await signIn(client, USER.email, USER.password);
          const tokens = await exchangeCode(client, await authorize(client));
          const refreshed = await refreshTokens(client, tokens.refreshToken!);
          elapsed = performance.now() - started;
          await signOut(client, refreshed.accessToken);
        } else if (kind === 'service') {
          await lastValueFrom(auth.login(USER.email, USER.password), { defaultValue: undefined });
          await firstValueFrom(auth.refreshToken());
          elapsed = performance.now() - started;
          await firstValueFrom(auth.signOut(), { defaultValue: undefined });
        } else {
          const client = new IdentityAuth(location.origin, 'spa');
          await client.signIn(USER.email, USER.password);
          const code = await client.authorize();
          const tokens = (await client.retrieveToken(code!)) as { access_token: string; refresh_token: string };
          const refreshed = await (await client.refreshToken(tokens.refresh_token)).json();
          elapsed = performance.now() - started;
          await client.signOut(refreshed.access_token);
        }
        return elapsed;
      },
    };
    (window as unknown as { bench: typeof bench }).bench = bench;
    document.title = 'ready';
  })
  .catch((e: unknown) => console.error(e));
