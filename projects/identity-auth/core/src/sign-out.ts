/**
 * Sign-out: revoke one refresh token, or all of this user and client.
 *
 * @see docs/protocol.md §5
 */
import { IDENTITY_PATHS } from './clients';
import type { IdentityClient } from './config';
import { errorFromHttpAnswer, optionError } from './errors';
import { type CallOptions, checkHeaders, readText, withTransport } from './transport';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/** Options of {@link signOut}. */
export interface SignOutOptions extends CallOptions {
  /** Extra headers, e.g. the session `Cookie` in Node so that the identity session ends too. */
  headers?: Record<string, string>;
  /**
   * Whether the browser sends the identity-session cookie (which the service then
   * ends too). Default `include`; `omit` revokes the refresh token and leaves the
   * identity session alone (the refresh token of a session already replaced by a new sign-in).
   */
  credentials?: 'include' | 'omit';
  /**
   * Let the request outlive the page (`fetch`'s `keepalive`): a tab that closes right
   * after signing out still revokes. Browsers cap such request bodies at 64 KiB in total.
   */
  keepalive?: boolean;
}

/**
 * Signs out at the identity service. With `refreshToken`, only that one is revoked;
 * without, every refresh token of this user and client. The access token stays
 * valid until it expires: forget it locally whatever this answers.
 *
 * @see docs/protocol.md §5
 * @example
 * ```ts
 * await signOut(client, tokens.accessToken, tokens.refreshToken);
 * ```
 */
export async function signOut(
  client: IdentityClient,
  accessToken: string,
  refreshToken?: string,
  options?: SignOutOptions,
): Promise<void> {
  if (typeof accessToken !== 'string' || accessToken === '')
    throw optionError(
      'accessToken',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"accessToken" must be a non-empty string' : '',
    );
  if (refreshToken !== undefined && (typeof refreshToken !== 'string' || refreshToken === '')) {
    throw optionError(
      'refreshToken',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"refreshToken" must be a non-empty string when given' : '',
    );
  }
  const headers = checkHeaders(options?.headers, 'headers');
  // the bearer value is checked here, so that fetch's own error (which repeats it) never escapes
  if (!/^[\x21-\x7e]+$/.test(accessToken))
    throw optionError(
      'accessToken',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"accessToken" has characters a bearer token cannot have' : '',
    );
  headers.set('authorization', `Bearer ${accessToken}`);
  headers.set('content-type', 'application/json');
  await withTransport(
    client,
    'sign-out',
    options,
    async (signal) => {
      const response = await client.fetch(client.url(IDENTITY_PATHS.signOut), {
        method: 'POST',
        headers,
        body: JSON.stringify(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
        credentials: options?.credentials === 'omit' ? 'omit' : 'include',
        ...(options?.keepalive ? { keepalive: true } : {}),
        signal,
      });
      const text = await readText(response, 'sign-out', signal);
      if (!response.ok) throw errorFromHttpAnswer('sign-out', response.status, response.headers, text);
    },
    [accessToken, refreshToken, headers.get('cookie') ?? undefined],
  );
}
