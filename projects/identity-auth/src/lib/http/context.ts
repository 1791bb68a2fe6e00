/**
 * Per-request switches of the interceptor, set through `HttpContext`.
 */
import { HttpContextToken } from '@angular/common/http';

/**
 * `true` sends this request without the access token and without the replay after a
 * 401, even to an allow-listed API (a public endpoint, a health check, a request that
 * must not trigger a refresh). Default `false`.
 *
 * @example
 * ```ts
 * http.get('/api/status', { context: new HttpContext().set(SKIP_IDENTITY_AUTH, true) });
 * ```
 */
export const SKIP_IDENTITY_AUTH = new HttpContextToken<boolean>(() => false);
