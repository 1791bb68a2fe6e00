/**
 * The HTTP interceptor: `Authorization: Bearer` on requests to allow-listed APIs, and
 * after a 401 one replay with the token of the session's single shared refresh. It
 * never refreshes on its own: it asks {@link SessionAccess}.
 */
import {
  type HttpEvent,
  HttpErrorResponse,
  HttpEventType,
  type HttpHandler,
  type HttpHandlerFn,
  type HttpInterceptor,
  type HttpInterceptorFn,
  type HttpRequest,
} from '@angular/common/http';
import { DestroyRef, DOCUMENT, EnvironmentInjector, inject, Injectable, runInInjectionContext } from '@angular/core';
import { defer, Observable, Subscriber, switchMap } from 'rxjs';

import { documentBaseUri } from '../platform/document-base-uri';
import {
  IDENTITY_AUTH_HTTP_EDGE,
  IDENTITY_AUTH_HTTP_SETTINGS,
  type IdentityAuthHttpEdge,
  SessionAccess,
} from '../session/session-access';
import { type ApiMatcher, apiMatcherFor } from './api-matcher';
import { SKIP_IDENTITY_AUTH } from './context';
import { MISSING_INTERCEPTOR_CHECK } from './missing-interceptor-check';

const UNAUTHORIZED = 401;
/** As `HttpHeaders` stores header names. */
const AUTHORIZATION = 'authorization';
/** One options object for the look-up every request makes. */
const OPTIONAL = { optional: true } as const;

function withBearer<T>(request: HttpRequest<T>, token: string): HttpRequest<T> {
  // what `clone({ setHeaders })` does, without its key list and reducer
  return request.clone({ headers: request.headers.set('Authorization', `Bearer ${token}`) });
}

/** {@link SKIP_IDENTITY_AUTH} without `HttpContext.get`'s writing its default into every request's context. */
function skipsIdentityAuth(request: HttpRequest<unknown>): boolean {
  return request.context.has(SKIP_IDENTITY_AUTH) && request.context.get(SKIP_IDENTITY_AUTH);
}

/**
 * Adds `Authorization: Bearer <access token>` to requests whose URL matches
 * `config.apis` (see `compileApiMatcher` for the exact rules), and nothing to any
 * other request, to the identity endpoints, to requests that already carry an
 * `Authorization` header, or to requests with {@link SKIP_IDENTITY_AUTH}.
 *
 * - Before sending it asks the session for a token, which refreshes first when the
 *   token is expired or about to be (one refresh shared by every request and tab).
 *   Signed out, the request goes out without a token.
 * - A 401 from the protected API is replayed exactly once: with the current token
 *   when the request carried an older one, otherwise with the token of the one shared
 *   refresh. The replay's answer, a 403 and every other error reach the caller
 *   untouched. When the refresh ends the session, every waiting request fails with
 *   the session's `IdentityAuthError`.
 *
 * @example
 * ```ts
 * bootstrapApplication(App, {
 *   providers: [
 *     provideIdentityAuth({ url: 'https://example.com', clientId: 'spa', apis: ['https://api.example.com'] }),
 *     provideHttpClient(withInterceptors([identityAuthInterceptor])),
 *   ],
 * });
 * ```
 */
export const identityAuthInterceptor: HttpInterceptorFn = (request, next) => {
  const edge = edgeOfInjector();
  if (!edge) throw new Error(notConfigured());
  const { settings, session } = edge;
  if (typeof ngDevMode === 'undefined' || ngDevMode) inject(MISSING_INTERCEPTOR_CHECK).markPassed();
  // the document is looked up only when the allow-list is compiled, not for every request
  const isProtected = apiMatcherFor(settings, baseUriOfInjectedDocument);
  if (skipsIdentityAuth(request) || request.headers.has(AUTHORIZATION) || !isProtected(request.url)) {
    return next(request);
  }
  // The common case: a fresh token at hand, nothing to wait for.
  const atHand = settings.waitForRestore && session.status() === 'unknown' ? undefined : session.tokenAtHand();
  if (atHand !== undefined) return new SentWithOneReplay(request, atHand, next, session, isProtected);
  return defer(async () => {
    if (settings.waitForRestore) await session.whenRestored();
    return session.tokenForRequest();
  }).pipe(
    switchMap((token) =>
      token === null ? next(request) : new SentWithOneReplay(request, token, next, session, isProtected),
    ),
  );
};

function baseUriOfInjectedDocument(): string | undefined {
  return documentBaseUri(inject(DOCUMENT, { optional: true }));
}

// The edge each environment injector resolved. `inject(DestroyRef)` is the cheapest
// look-up there is (an environment injector answers it with itself, without searching
// its records or its parents'): it names the injector; the edge is then looked up once.
const edges = new WeakMap<DestroyRef, IdentityAuthHttpEdge>();

/** The settings and the session of the current injector, looked up once per injector; null when not configured. */
function edgeOfInjector(): IdentityAuthHttpEdge | null {
  const injector = inject(DestroyRef);
  let edge = edges.get(injector);
  if (edge === undefined) {
    edge = inject(IDENTITY_AUTH_HTTP_EDGE, OPTIONAL) ?? edgeFromParts() ?? undefined;
    if (edge) edges.set(injector, edge);
  }
  return edge ?? null;
}

/** The settings and the session provided one by one (a unit test's providers), or null when either is missing. */
function edgeFromParts(): IdentityAuthHttpEdge | null {
  const settings = inject(IDENTITY_AUTH_HTTP_SETTINGS, OPTIONAL);
  const session = inject(SessionAccess, OPTIONAL);
  return settings && session ? { settings, session } : null;
}

/**
 * Sends with `token` when subscribed (every subscription sends anew, as the chain's own
 * observables do); after a 401 from the protected API, replays exactly once. One object
 * per request, and one per subscription: this runs for every request.
 */
class SentWithOneReplay extends Observable<HttpEvent<unknown>> {
  constructor(
    readonly request: HttpRequest<unknown>,
    readonly token: string,
    readonly send: HttpHandlerFn,
    readonly session: SessionAccess,
    readonly isProtected: ApiMatcher,
  ) {
    super(subscribeWithOneReplay);
  }
}

/** `SentWithOneReplay`'s subscribe function: shared by every instance, so that none allocates its own. */
function subscribeWithOneReplay(this: Observable<HttpEvent<unknown>>, caller: Subscriber<HttpEvent<unknown>>): void {
  const sent = this as SentWithOneReplay;
  sent.send(withBearer(sent.request, sent.token)).subscribe(new OneReplay(caller, sent));
}

/**
 * What the caller sees of the first answer, and the replay after a 401 from the protected
 * API. A `Subscriber` of the caller's, as RxJS's own operators are: subscribing it adds no
 * wrapper, and unsubscribing the caller unsubscribes the first answer.
 */
class OneReplay extends Subscriber<HttpEvent<unknown>> {
  private rejected = false;

  constructor(
    private readonly caller: Subscriber<HttpEvent<unknown>>,
    private readonly sent: SentWithOneReplay,
  ) {
    super(caller);
  }

  protected override _next(event: HttpEvent<unknown>): void {
    // The headers and body of a 401 that will be replayed are not the caller's answer.
    if (event.type === HttpEventType.ResponseHeader && event.status === UNAUTHORIZED) this.rejected = true;
    if (this.rejected && (event.type === HttpEventType.ResponseHeader || event.type === HttpEventType.DownloadProgress))
      return;
    this.caller.next(event);
  }

  protected override _error(error: unknown): void {
    if (!isRejectedByProtectedApi(error, this.sent.isProtected)) {
      super._error(error);
      return;
    }
    try {
      replayOnce(this.caller, this.sent, error);
    } finally {
      // the first answer is over; the caller stays open for the replay
      this.unsubscribe();
    }
  }
}

/** After the protected API's 401 to `sent`: the replay with the session's current token, or the 401 itself. */
function replayOnce(caller: Subscriber<HttpEvent<unknown>>, sent: SentWithOneReplay, rejection: unknown): void {
  const { token } = sent;
  // a promise even when the session throws at once: that error reaches the caller like a rejection
  new Promise<string>((resolve) => resolve(sent.session.tokenAfterRejection(token))).then(
    (current) => {
      if (caller.closed) return;
      // The replay is not wrapped: its 401, like any of its errors, reaches the caller.
      if (current === token) caller.error(rejection);
      else caller.add(sent.send(withBearer(sent.request, current)).subscribe(caller));
    },
    (refreshError: unknown) => caller.error(refreshError),
  );
}

function notConfigured(): string {
  return typeof ngDevMode === 'undefined' || ngDevMode
    ? 'b2trader.identity.auth: identityAuthInterceptor is in the HttpClient chain, but the library is not configured. ' +
        'Add provideIdentityAuth(...) (or IdentityAuthModule.forRoot(...)) to the providers; in unit tests, ' +
        'provideIdentityAuthTesting() from b2trader.identity.auth/testing.'
    : 'b2trader.identity.auth: not configured';
}

/**
 * A 401 that the protected API itself answered. A 401 whose answer came from another
 * origin (the API redirected the request) says nothing about our token: passed through.
 */
function isRejectedByProtectedApi(error: unknown, isProtected: ApiMatcher): boolean {
  return error instanceof HttpErrorResponse && error.status === UNAUTHORIZED && (!error.url || isProtected(error.url));
}

/**
 * The class form of {@link identityAuthInterceptor}, for apps that register
 * interceptors through `HTTP_INTERCEPTORS`: `IdentityAuthModule.forRoot()` does, and
 * the app provides `HttpClient` with `withInterceptorsFromDi()` (or `HttpClientModule`).
 * Standalone apps list `identityAuthInterceptor` in `withInterceptors([...])` instead.
 */
@Injectable()
export class IdentityAuthInterceptor implements HttpInterceptor {
  private readonly injector = inject(EnvironmentInjector);

  intercept(request: HttpRequest<unknown>, next: HttpHandler): Observable<HttpEvent<unknown>> {
    return runInInjectionContext(this.injector, () => identityAuthInterceptor(request, (r) => next.handle(r)));
  }
}
