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
import { catchError, defer, filter, from, type Observable, switchMap, throwError } from 'rxjs';

import { documentBaseUri } from '../platform/document-base-uri';
import { IDENTITY_AUTH_HTTP_SETTINGS, SessionAccess } from '../session/session-access';
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
  const settings = inject(IDENTITY_AUTH_HTTP_SETTINGS, { optional: true });
  const session = inject(SessionAccess, { optional: true });
  if (!settings || !session) throw new Error(notConfigured());
  if (typeof ngDevMode === 'undefined' || ngDevMode) inject(MISSING_INTERCEPTOR_CHECK).markPassed();
  const isProtected = apiMatcherFor(settings, documentBaseUri(inject(DOCUMENT, { optional: true })));
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

/** Sends with `token`; after a 401 from the protected API, replays exactly once (a second `send`). */
function sendWithOneReplay(
  request: HttpRequest<unknown>,
  token: string,
  send: HttpHandlerFn,
  session: SessionAccess,
  isProtected: ApiMatcher,
): Observable<HttpEvent<unknown>> {
  let rejected = false;
  return send(withBearer(request, token)).pipe(
    // The headers and body of a 401 that will be replayed are not the caller's answer.
    filter((event) => {
      if (event.type === HttpEventType.ResponseHeader && event.status === UNAUTHORIZED) rejected = true;
      return !(
        rejected &&
        (event.type === HttpEventType.ResponseHeader || event.type === HttpEventType.DownloadProgress)
      );
    }),
    catchError((error: unknown) => {
      if (!isRejectedByProtectedApi(error, isProtected)) return throwError(() => error);
      return from(session.tokenAfterRejection(token)).pipe(
        // The replay is not wrapped: its 401, like any of its errors, reaches the caller.
        switchMap((current) => (current === token ? throwError(() => error) : send(withBearer(request, current)))),
      );
    }),
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
