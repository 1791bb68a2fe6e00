/**
 * Step 3 of the login chain (code exchange) and the refresh.
 *
 * @see docs/protocol.md §3, §4; OpenID Connect Core §3.1.3.7 (id_token validation)
 */
import * as oauth from 'oauth4webapi';

import type { AuthorizationResult } from './authorize';
import { evictOldest } from './bounded';
import { basicAuthentication, refreshAuthentication } from './client-auth';
import { internalsOf, type IdentityClient } from './config';
import { LIBRARY_ERROR_CODES } from './error-codes';
import { IdentityAuthError, isIdentityAuthError, optionError } from './errors';
import { isRecord } from './json';
import { requestOptions, runTokenRequest } from './token-request';
import type { TokenSet } from './token-set';
import type { CallOptions } from './transport';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/** Codes whose exchange is running or done, per client: a code is sent once. */
const exchanges = new WeakMap<IdentityClient, Map<string, Promise<TokenSet> | 'spent'>>();
/** Spent codes remembered per client; older ones are left to the server to refuse. */
const MAX_REMEMBERED_CODES = 64;

function checkAuthorization(authorization: AuthorizationResult): void {
  const request = isRecord(authorization) ? authorization.request : undefined;
  if (
    !isRecord(authorization) ||
    typeof authorization.code !== 'string' ||
    authorization.code === '' ||
    !(authorization.parameters instanceof URLSearchParams) ||
    !isRecord(request) ||
    typeof request.codeVerifier !== 'string' ||
    typeof request.nonce !== 'string' ||
    typeof request.redirectUri !== 'string'
  ) {
    throw optionError(
      'authorization',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"authorization" must be the result of authorize()' : '',
    );
  }
}

/**
 * Exchanges the code of a validated authorize result for tokens. The id_token is
 * required and checked (iss, aud, azp, exp, iat, nonce); a failed check keeps nothing.
 *
 * A code is sent once: concurrent calls for the same code share one request (a
 * second request would be a reuse, and the server would revoke what the first one
 * got), and a later call for a code already exchanged or refused is `invalid_grant`
 * with code `code_already_used`, before any request. After a transient failure
 * (network, timeout, 5xx, 429) the code may be tried again; if the server had
 * already used it (the answer was lost on the way back), that try is `invalid_grant`
 * and the login starts again.
 *
 * Throws `invalid_grant` for a used, unknown or expired code (B2Trader's RFC 7807
 * 401 answer included), `invalid_client` for a wrong secret, `invalid_response` for
 * a malformed answer or id_token.
 *
 * @see docs/protocol.md §3
 * @example
 * ```ts
 * const tokens = await exchangeCode(client, await authorize(client));
 * ```
 */
export async function exchangeCode(
  client: IdentityClient,
  authorization: AuthorizationResult,
  options?: CallOptions,
): Promise<TokenSet> {
  internalsOf(client);
  checkAuthorization(authorization);
  let ledger = exchanges.get(client);
  if (!ledger) exchanges.set(client, (ledger = new Map()));
  const known = ledger.get(authorization.code);
  if (known === 'spent') {
    throw new IdentityAuthError(
      'invalid_grant',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'token failed: this code was already exchanged or refused, and a code works once. Start the login again.'
        : '',
      { step: 'token', code: LIBRARY_ERROR_CODES.codeAlreadyUsed },
    );
  }
  if (options?.signal?.aborted) throw options.signal.reason;
  if (known) return untilAborted(known, options?.signal);
  // The shared request runs with the time limit only: one caller giving up (an unsubscribe)
  // must not fail the others, nor spend the code for them.
  const running = sendCodeExchange(client, authorization, undefined);
  ledger.set(authorization.code, running);
  const settle = (spent: boolean) => {
    ledger.delete(authorization.code);
    if (spent) ledger.set(authorization.code, 'spent');
    evictOldest(ledger, MAX_REMEMBERED_CODES);
  };
  running.then(
    () => settle(true),
    (err: unknown) => settle(!(isIdentityAuthError(err) && err.transient)),
  );
  return untilAborted(running, options?.signal);
}

/** `work`, or the abort reason as soon as `signal` fires; `work` itself goes on. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function sendCodeExchange(
  client: IdentityClient,
  authorization: AuthorizationResult,
  options: CallOptions | undefined,
): Promise<TokenSet> {
  const { request, parameters, code } = authorization;
  const { as, client: oauthClient } = internalsOf(client);
  return runTokenRequest(
    client,
    {
      step: 'token',
      secrets: [code, request.codeVerifier],
      send: (signal) =>
        oauth.authorizationCodeGrantRequest(
          as,
          oauthClient,
          basicAuthentication(client),
          parameters,
          request.redirectUri,
          request.codeVerifier,
          {
            ...requestOptions(client, signal),
            // docs/protocol.md §3's order; oauth4webapi sets these keys in place.
            additionalParameters: [
              ['code', code],
              ['grant_type', 'authorization_code'],
              ['code_verifier', request.codeVerifier],
              ['redirect_uri', request.redirectUri],
            ],
          },
        ),
      process: (response) =>
        oauth.processAuthorizationCodeResponse(as, oauthClient, response, {
          expectedNonce: request.nonce,
          requireIdToken: client.scope.split(' ').includes('openid'),
        }),
    },
    options,
  );
}

/** Options of {@link refreshTokens}. */
export interface RefreshOptions extends CallOptions {
  /**
   * The `sub` of the session. When the answer has an id_token, it must be for this
   * user, or the whole answer is refused (`invalid_response`, code `subject_mismatch`).
   * When the answer has no id_token there is nothing to compare: the tokens are
   * accepted and the session's subject stays what it was, since the server binds a
   * refresh token to the grant (and so the user) it was issued for.
   */
  expectedSubject?: string;
}

/**
 * Trades a refresh token (one-time use) for new tokens. When the answer has no
 * `refresh_token`, the TokenSet keeps the one given. A returned id_token is checked,
 * and must be for `expectedSubject` when given; an answer without an id_token has no
 * `idTokenClaims` and keeps the session's subject (see {@link RefreshOptions}).
 *
 * Throws `invalid_grant` when the refresh token is used, revoked or expired: the
 * session is over and retrying cannot help.
 *
 * @see docs/protocol.md §4
 * @example
 * ```ts
 * const next = await refreshTokens(client, tokens.refreshToken!, { expectedSubject: tokens.idTokenClaims?.sub });
 * ```
 */
export async function refreshTokens(
  client: IdentityClient,
  refreshToken: string,
  options: RefreshOptions = {},
): Promise<TokenSet> {
  const { as, client: oauthClient } = internalsOf(client);
  if (typeof refreshToken !== 'string' || refreshToken === '')
    throw optionError(
      'refreshToken',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"refreshToken" must be a non-empty string' : '',
    );
  return runTokenRequest(
    client,
    {
      step: 'refresh',
      previousRefreshToken: refreshToken,
      expectedSubject: options.expectedSubject,
      secrets: [refreshToken],
      send: (signal) =>
        oauth.refreshTokenGrantRequest(as, oauthClient, refreshAuthentication(client), refreshToken, {
          ...requestOptions(client, signal),
          additionalParameters: [
            ['client_id', client.clientId],
            ['grant_type', 'refresh_token'],
            ['refresh_token', refreshToken],
            ['scope', client.scope],
          ],
        }),
      process: (response) => oauth.processRefreshTokenResponse(as, oauthClient, response),
    },
    options,
  );
}
