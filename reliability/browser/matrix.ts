// Support for the fault matrix's browser cases: each case is one Jasmine spec whose
// description starts with its id (`[7] …`) and which records what it observed; the
// reporter in reliability/karma.faults.cjs pairs that record with the spec's verdict.
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { PLATFORM_ID, type EnvironmentProviders, type Provider } from '@angular/core';
import { isIdentityAuthError } from 'b2trader.identity.auth/core';

import type { IdentityAuthConfig } from '../../projects/identity-auth/src/lib/identity-auth-config';
import { identityAuthInterceptor } from '../../projects/identity-auth/src/lib/http/interceptor';
import type { IdentityAuthFeature } from '../../projects/identity-auth/src/lib/providers';
import { IdentityAuthPlatform } from '../../projects/identity-auth/src/lib/platform/identity-auth-platform';
import { openTab, type Tab } from '../../projects/identity-auth/src/lib/testing-support/emulator-tabs';

/** Adds one line to the case's "observed" column. */
export type Observe = (line: string) => void;

const ROW_PREFIX = 'FAULT-MATRIX-ROW ';

/**
 * One row of the matrix: a spec named `[id] title` that runs `body` and records, pass
 * or fail, what `body` observed. Assertions inside `body` decide the verdict.
 */
export function matrixCase(
  id: string,
  title: string,
  expected: string,
  body: (observe: Observe) => Promise<void>,
  timeoutMs = 40_000,
): void {
  it(
    `[${id}] ${title}`,
    async () => {
      const observed: string[] = [];
      try {
        await body((line) => observed.push(line));
      } finally {
        console.log(`${ROW_PREFIX}${JSON.stringify({ id, title, expected, observed })}`);
      }
    },
    timeoutMs,
  );
}

/**
 * A case the library fails today: `body` runs, records what happened and says whether
 * the library behaved as expected. While it does not, the spec is marked pending with
 * `bug` (a failed row, never a pass); once it does, the spec fails and asks for the
 * marker to go.
 */
export function knownBugCase(
  id: string,
  title: string,
  expected: string,
  bug: string,
  body: (observe: Observe) => Promise<boolean>,
  timeoutMs = 40_000,
): void {
  matrixCase(
    id,
    title,
    expected,
    async (observe) => {
      if (await body(observe)) fail(`[${id}] behaves as expected now: the bug is fixed; make it a plain matrixCase`);
      observe(`pending, library bug: ${bug}`);
      pending(`library bug: ${bug}`);
    },
    timeoutMs,
  );
}

/** The settled outcome of a promise: its value, or what it threw. */
export async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/** A short, token-free description of a failure: the kind, status and code of an IdentityAuthError. */
export function describeError(error: unknown): string {
  if (error === undefined) return 'no error';
  if (isIdentityAuthError(error)) {
    const parts = [`${error.kind}`];
    if (error.status !== undefined) parts.push(`HTTP ${error.status}`);
    if (error.code) parts.push(`code ${error.code}`);
    parts.push(error.transient ? 'transient' : 'not transient');
    return parts.join(', ');
  }
  if (error && typeof error === 'object' && 'status' in error) return `HTTP error ${String(error.status)}`;
  return `${(error as Error)?.name ?? typeof error}: ${String((error as Error)?.message ?? error).slice(0, 80)}`;
}

/**
 * The library's token records in Web Storage. The sign-out mark (`…:signed-out`) and the
 * times of the last sign-in and sign-out (`…:signed-in`, `…:signed-out-at`) are not: they
 * hold no token, which this checks.
 */
export function storedKeys(): string[] {
  return [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((key) => {
    if (!key.startsWith('b2trader.identity.auth')) return false;
    if (key.endsWith(':signed-in') || key.endsWith(':signed-out-at'))
      return !/^\d+$/.test(localStorage.getItem(key) ?? '');
    if (!key.endsWith(':signed-out')) return true;
    const mark = JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, unknown>;
    return Object.keys(mark).some(
      (field) => !['at', 'sessionIds', 'pending', 'generations', 'unheardIn'].includes(field),
    );
  });
}

/** A tab whose HttpClient runs through the library's interceptor, with `/api/` allow-listed. */
export function appTab(
  config: Partial<IdentityAuthConfig> = {},
  features: IdentityAuthFeature[] = [],
  providers: (Provider | EnvironmentProviders)[] = [],
): Tab & { http: HttpClient } {
  const tab = openTab({ apis: ['/api/'], ...config }, features, [
    provideHttpClient(withInterceptors([identityAuthInterceptor])),
    ...providers,
  ]);
  return Object.assign(tab, { http: tab.injector.get(HttpClient) });
}

/** A tab on a platform of the test's making (the browser, with parts steered). */
export function steeredTab(platform: IdentityAuthPlatform, config: Partial<IdentityAuthConfig> = {}): Tab {
  return openTab(
    config,
    [],
    [
      { provide: PLATFORM_ID, useValue: 'browser' },
      { provide: IdentityAuthPlatform, useValue: platform },
    ],
  );
}

export const FRONT_OFFICE = '/api/frontoffice/v1/account';
export const BACK_OFFICE = '/api/backoffice/v1/users';
