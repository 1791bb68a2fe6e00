import { InjectionToken } from '@angular/core';

/**
 * How this app restores the session: at start-up (the library's default), or itself after
 * the first render (`withManualRestore()`). One build serves both: the end-to-end test
 * picks one per browser context with a cookie, which the server reads from the request
 * and the browser from `document.cookie`.
 */
export type RestoreMode = 'start-up' | 'manual';

/** The cookie that picks {@link RestoreMode} `manual`. */
export const RESTORE_MODE_COOKIE = 'ssr-app-restore';

/** The mode a `Cookie` header (or `document.cookie`) asks for. */
export function restoreModeFromCookies(cookies: string | null | undefined): RestoreMode {
  const pairs = (cookies ?? '').split(';').map((pair) => pair.trim());
  return pairs.includes(`${RESTORE_MODE_COOKIE}=manual`) ? 'manual' : 'start-up';
}

/** The mode this app was bootstrapped with. */
export const RESTORE_MODE = new InjectionToken<RestoreMode>('restore mode', { factory: () => 'start-up' });
