// Real requests in real Chromium (answered 404 by Karma's server): the check reads the
// browser's Resource Timing entries, which only real network requests produce.
import { HttpClient, type HttpInterceptorFn, provideHttpClient, withInterceptors } from '@angular/common/http';
import { PLATFORM_ID, type Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';

import { IDENTITY_AUTH_HTTP_SETTINGS, SessionAccess } from '../session/session-access';
import { FakeSession } from '../testing-support/fake-session';
import { until } from '../testing-support/until';
import { identityAuthInterceptor } from './interceptor';
import { MissingInterceptorCheck, provideMissingInterceptorCheck } from './missing-interceptor-check';

/**
 * Resolves once the browser has published the Resource Timing entry of `url`. All
 * observers are called in one task, so the check's observer has run by then too.
 */
function resourceEntry(url: string): Promise<void> {
  const absolute = new URL(url, document.baseURI).href;
  return new Promise((resolve) => {
    const observer = new PerformanceObserver((list) => {
      if (list.getEntries().some((entry) => entry.name === absolute)) {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe({ type: 'resource' });
  });
}

describe('MissingInterceptorCheck (real requests, Resource Timing in Chromium)', () => {
  const api = `/no-such-api-${Math.random().toString(36).slice(2)}`;
  let warn: jasmine.Spy;

  function setUp(interceptors: HttpInterceptorFn[], extra: Provider[] = []): HttpClient {
    const signedOut = new FakeSession({ status: 'signed-out', token: null });
    signedOut.finishRestore(null);
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors(interceptors)),
        { provide: SessionAccess, useValue: signedOut },
        {
          provide: IDENTITY_AUTH_HTTP_SETTINGS,
          useValue: { apis: [api], identityBaseUrl: location.origin, waitForRestore: false },
        },
        provideMissingInterceptorCheck(),
        ...extra,
      ],
    });
    warn = spyOn(console, 'warn');
    return TestBed.inject(HttpClient);
  }

  const get = (http: HttpClient, url: string) => firstValueFrom(http.get(url)).catch(() => undefined);

  it('warns once, naming the fix, when protected URLs were requested and none passed through the interceptor', async () => {
    const http = setUp([]);
    const seen = resourceEntry(`${api}/b?secret=1`);
    await get(http, `${api}/a`);
    await get(http, `${api}/b?secret=1`);
    await seen;
    await until(() => warn.calls.count() > 0, 'the warning');
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.calls.mostRecent().args[0]);
    expect(message).toMatch(/^b2trader\.identity\.auth: /);
    expect(message).toContain(`${location.origin}${api}/`);
    expect(message).toContain('withInterceptors([identityAuthInterceptor])');
    expect(message).toContain('withInterceptorsFromDi()');
    expect(message).not.toContain('secret');
  });

  it('stays silent when requests pass through the interceptor', async () => {
    const http = setUp([identityAuthInterceptor]);
    const seen = resourceEntry(`${api}/c`);
    await get(http, `${api}/c`);
    await seen; // every observer hears of an entry in the same task: the check has seen it too
    expect(warn).not.toHaveBeenCalled();
  });

  it('stays silent about URLs that are not protected', async () => {
    const http = setUp([]);
    const seen = resourceEntry('/not-listed/d');
    await get(http, '/not-listed/d');
    await seen; // every observer hears of an entry in the same task: the check has seen it too
    expect(warn).not.toHaveBeenCalled();
  });

  it('does not watch on the server platform', () => {
    const watch = spyOn(MissingInterceptorCheck.prototype, 'watch');
    setUp([], [{ provide: PLATFORM_ID, useValue: 'server' }]);
    expect(watch).not.toHaveBeenCalled();
  });
});
