/**
 * Dev mode only: tells the developer when requests to protected APIs leave the page
 * without going through the interceptor (the app forgot `withInterceptors([...])` or
 * `withInterceptorsFromDi()`), so that they carried no token.
 *
 * Angular gives a library no public way to see the requests of an `HttpClient` whose
 * chain lacks its interceptor, so the check watches what really went over the network:
 * the browser's Resource Timing entries of fetch and XHR requests. It warns once, when a
 * request to a protected URL completed while no request at all had passed through the
 * interceptor; the first request that does pass through switches the check off.
 */
import { isPlatformBrowser } from '@angular/common';
import {
  DestroyRef,
  DOCUMENT,
  type EnvironmentProviders,
  inject,
  InjectionToken,
  makeEnvironmentProviders,
  PLATFORM_ID,
  provideEnvironmentInitializer,
} from '@angular/core';

import { documentBaseUri } from '../platform/document-base-uri';
import { IDENTITY_AUTH_HTTP_SETTINGS } from '../session/session-access';
import { type ApiMatcher, apiMatcherFor } from './api-matcher';

/**
 * Shared between the interceptor (which marks itself present) and the network watch.
 * A plain class behind a token, not an `@Injectable`: production bundles drop it whole.
 */
export class MissingInterceptorCheck {
  private passed = false;
  private observer: PerformanceObserver | undefined;

  /** Called by the interceptor for every request: it is in the app's HttpClient chain. */
  markPassed(): void {
    if (this.passed) return;
    this.passed = true;
    this.stop();
  }

  /** Starts watching the network; a no-op where there is no Resource Timing. */
  watch(isProtected: ApiMatcher, warn: (message: string) => void = (message) => console.warn(message)): void {
    if (this.passed || this.observer || typeof PerformanceObserver === 'undefined') return;
    const observer = new PerformanceObserver((list) => {
      if (this.passed) return;
      for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
        const network = entry.initiatorType === 'fetch' || entry.initiatorType === 'xmlhttprequest';
        if (!network || !isProtected(entry.name)) continue;
        this.stop();
        warn(missingInterceptorMessage(entry.name));
        return;
      }
    });
    try {
      observer.observe({ type: 'resource' });
    } catch {
      return;
    }
    this.observer = observer;
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }
}

/** The one check of an app (the interceptor may run in a child injector of the watch's). */
export const MISSING_INTERCEPTOR_CHECK = /* @__PURE__ */ new InjectionToken<MissingInterceptorCheck>(
  'b2trader.identity.auth: missing-interceptor check',
  { providedIn: 'root', factory: () => new MissingInterceptorCheck() },
);

function missingInterceptorMessage(url: string): string {
  const { origin, pathname } = new URL(url);
  return (
    `b2trader.identity.auth: ${origin}${pathname} matches "apis", but no request has passed through ` +
    'identityAuthInterceptor, so it was sent without an access token. Standalone apps: ' +
    'provideHttpClient(withInterceptors([identityAuthInterceptor])). With IdentityAuthModule.forRoot(): ' +
    'provideHttpClient(withInterceptorsFromDi()) (or HttpClientModule). Requests made with fetch() directly ' +
    'never get a token.'
  );
}

/**
 * For `provideIdentityAuth()` and `IdentityAuthModule.forRoot()`: in dev mode in a
 * browser, starts the network watch of {@link MissingInterceptorCheck}. Provides
 * nothing in production builds.
 */
export function provideMissingInterceptorCheck(): EnvironmentProviders {
  return makeEnvironmentProviders(
    typeof ngDevMode === 'undefined' || ngDevMode ? [provideEnvironmentInitializer(watchForMissingInterceptor)] : [],
  );
}

function watchForMissingInterceptor(): void {
  const settings = inject(IDENTITY_AUTH_HTTP_SETTINGS);
  if (!isPlatformBrowser(inject(PLATFORM_ID))) return;
  const check = inject(MISSING_INTERCEPTOR_CHECK);
  const baseUri = documentBaseUri(inject(DOCUMENT));
  // `apis` is read when a request completes: a config factory may still be running now.
  check.watch((url) => {
    try {
      return apiMatcherFor(settings, baseUri)(url);
    } catch {
      return false; // a bad "apis" entry: every protected request already fails with a TypeError naming it
    }
  });
  inject(DestroyRef).onDestroy(() => check.stop());
}
