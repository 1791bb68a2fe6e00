/**
 * Step 3 of the login chain (code exchange) and the refresh.
 *
 * @see PROTOCOL.md §3, §4; OpenID Connect Core §3.1.3.7 (id_token validation)
 */
import * as oauth from 'oauth4webapi';

import type { AuthorizationResult } from './authorize';
import { basicAuthentication, refreshAuthentication } from './client-auth';
import type { IdentityClient } from './config';
import { requestOptions, runTokenRequest } from './token-request';
import type { TokenSet } from './token-set';
import type { CallOptions } from './transport';

/**
 * Exchanges the code of a validated authorize result for tokens. The id_token is
 * required and checked (iss, aud, azp, exp, iat, nonce); a failed check keeps nothing.
 *
 * Throws `invalid_grant` for a used, unknown or expired code (B2Trader's RFC 7807
 * 401 answer included), `invalid_client` for a wrong secret, `invalid_response` for
 * a malformed answer or id_token.
 *
 * @see PROTOCOL.md §3
 */
export async function exchangeCode(
  client: IdentityClient,
  authorization: AuthorizationResult,
  options?: CallOptions,
): Promise<TokenSet> {
  const { request, parameters, code } = authorization;
  return runTokenRequest(
    client,
    {
      step: 'token',
      send: (signal) =>
        oauth.authorizationCodeGrantRequest(
          client.as,
          client.client,
          basicAuthentication(client),
          parameters,
          request.redirectUri,
          request.codeVerifier,
          {
            ...requestOptions(client, signal),
            // PROTOCOL.md §3's order; oauth4webapi sets these keys in place.
            additionalParameters: [
              ['code', code],
              ['grant_type', 'authorization_code'],
              ['code_verifier', request.codeVerifier],
              ['redirect_uri', request.redirectUri],
            ],
          },
        ),
      process: (response) =>
        oauth.processAuthorizationCodeResponse(client.as, client.client, response, {
          expectedNonce: request.nonce,
          requireIdToken: client.scope.split(' ').includes('openid'),
        }),
    },
    options,
  );
}

/** Options of {@link refreshTokens}. */
export interface RefreshOptions extends CallOptions {
  /** The `sub` of the session: an id_token in the answer must be for the same user. */
  expectedSubject?: string;
}

/**
 * Trades a refresh token (one-time use) for new tokens. When the answer has no
 * `refresh_token`, the TokenSet keeps the one given. A returned id_token is checked,
 * and must be for `expectedSubject` when given.
 *
 * Throws `invalid_grant` when the refresh token is used, revoked or expired: the
 * session is over and retrying cannot help.
 *
 * @see PROTOCOL.md §4
 */
export async function refreshTokens(
  client: IdentityClient,
  refreshToken: string,
  options: RefreshOptions = {},
): Promise<TokenSet> {
  if (typeof refreshToken !== 'string' || refreshToken === '')
    throw new TypeError('b2trader.identity.auth: "refreshToken" must be a non-empty string');
  return runTokenRequest(
    client,
    {
      step: 'refresh',
      previousRefreshToken: refreshToken,
      expectedSubject: options.expectedSubject,
      send: (signal) =>
        oauth.refreshTokenGrantRequest(client.as, client.client, refreshAuthentication(client), refreshToken, {
          ...requestOptions(client, signal),
          additionalParameters: [
            ['client_id', client.clientId],
            ['grant_type', 'refresh_token'],
            ['refresh_token', refreshToken],
            ['scope', client.scope],
          ],
        }),
      process: (response) => oauth.processRefreshTokenResponse(client.as, client.client, response),
    },
    options,
  );
}
