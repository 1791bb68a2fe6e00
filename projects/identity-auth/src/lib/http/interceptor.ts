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
import { DOCUMENT, EnvironmentInjector, inject, Injectable, runInInjectionContext } from '@angular/core';
import { defer, Observable, type Observer, type Subscriber, switchMap } from 'rxjs';

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

function withBearer<T>(request: HttpRequest<T>, token: string): HttpRequest<T> {
  return request.clone({ setHeaders: { Authorization: `Bearer ${token}` } });
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
  const edge = inject(IDENTITY_AUTH_HTTP_EDGE, { optional: true }) ?? edgeFromParts();
  if (!edge) throw new Error(notConfigured());
  const { settings, session } = edge;
  if (typeof ngDevMode === 'undefined' || ngDevMode) inject(MISSING_INTERCEPTOR_CHECK).markPassed();
  // the document is looked up only when the allow-list is compiled, not for every request
  const isProtected = apiMatcherFor(settings, baseUriOfInjectedDocument);
  if (request.context.get(SKIP_IDENTITY_AUTH) || request.headers.has('Authorization') || !isProtected(request.url)) {
    return next(request);
  }
  // The common case: a fresh token at hand, nothing to wait for.
  const atHand = settings.waitForRestore && session.status() === 'unknown' ? undefined : session.tokenAtHand();
  if (atHand !== undefined) return sendWithOneReplay(request, atHand, next, session, isProtected);
  return defer(async () => {
    if (settings.waitForRestore) await session.whenRestored();
    return session.tokenForRequest();
  }).pipe(
    switchMap((token) =>
      token === null ? next(request) : sendWithOneReplay(request, token, next, session, isProtected),
    ),
  );
};

function baseUriOfInjectedDocument(): string | undefined {
  return documentBaseUri(inject(DOCUMENT, { optional: true }));
}

/** The settings and the session provided one by one (a unit test's providers), or null when either is missing. */
function edgeFromParts(): IdentityAuthHttpEdge | null {
  const settings = inject(IDENTITY_AUTH_HTTP_SETTINGS, { optional: true });
  const session = inject(SessionAccess, { optional: true });
  return settings && session ? { settings, session } : null;
}

/** Sends with `token`; after a 401 from the protected API, replays exactly once (a second `send`). */
function sendWithOneReplay(
  request: HttpRequest<unknown>,
  token: string,
  send: HttpHandlerFn,
  session: SessionAccess,
  isProtected: ApiMatcher,
): Observable<HttpEvent<unknown>> {
  // one observer object rather than an operator chain: this runs for every request
  return new Observable<HttpEvent<unknown>>((subscriber) =>
    send(withBearer(request, token)).subscribe(new OneReplay(subscriber, request, token, send, session, isProtected)),
  );
}

/** What the caller sees of the first answer, and the replay after a 401 from the protected API. */
class OneReplay implements Observer<HttpEvent<unknown>> {
  private rejected = false;

  constructor(
    private readonly caller: Subscriber<HttpEvent<unknown>>,
    private readonly request: HttpRequest<unknown>,
    private readonly token: string,
    private readonly send: HttpHandlerFn,
    private readonly session: SessionAccess,
    private readonly isProtected: ApiMatcher,
  ) {}

  next(event: HttpEvent<unknown>): void {
    // The headers and body of a 401 that will be replayed are not the caller's answer.
    if (event.type === HttpEventType.ResponseHeader && event.status === UNAUTHORIZED) this.rejected = true;
    if (this.rejected && (event.type === HttpEventType.ResponseHeader || event.type === HttpEventType.DownloadProgress))
      return;
    this.caller.next(event);
  }

  error(error: unknown): void {
    const { caller, token } = this;
    if (!isRejectedByProtectedApi(error, this.isProtected)) {
      caller.error(error);
      return;
    }
    // a promise even when the session throws at once: that error reaches the caller like a rejection
    new Promise<string>((resolve) => resolve(this.session.tokenAfterRejection(token))).then(
      (current) => {
        if (caller.closed) return;
        // The replay is not wrapped: its 401, like any of its errors, reaches the caller.
        if (current === token) caller.error(error);
        else caller.add(this.send(withBearer(this.request, current)).subscribe(caller));
      },
      (refreshError: unknown) => caller.error(refreshError),
    );
  }

  complete(): void {
    this.caller.complete();
  }
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
