/**
 * Machine-to-machine sign-in: the password grant of `core_ib` and `lk`. Not for
 * browsers; nothing a browser bundle imports pulls this file in.
 *
 * @see docs/protocol.md §6
 */
import * as oauth from 'oauth4webapi';

import { basicAuthentication } from './client-auth';
import { internalsOf, type IdentityClient } from './config';
import { requestOptions, runTokenRequest } from './token-request';
import type { TokenSet } from './token-set';
import type { CallOptions } from './transport';
import { optionError } from './errors';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/**
 * Signs a service account in with the password grant (client secret required).
 *
 * Throws `invalid_grant` when the server refuses the service account's email or
 * password, `invalid_client` for a wrong secret or a client that may not use this grant.
 *
 * @see docs/protocol.md §6
 * @example
 * ```ts
 * const client = createIdentityClient({ url, clientId: 'core_ib', clientSecret });
 * const tokens = await passwordGrant(client, 'trader@example.com', password);
 * ```
 */
export async function passwordGrant(
  client: IdentityClient,
  username: string,
  password: string,
  options?: CallOptions,
): Promise<TokenSet> {
  const { as, client: oauthClient } = internalsOf(client);
  if (typeof username !== 'string' || username === '')
    throw optionError(
      'email',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"email" must be a non-empty string' : '',
    );
  if (typeof password !== 'string' || password === '')
    throw optionError(
      'password',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"password" must be a non-empty string' : '',
    );
  if (!client.hasSecret)
    throw optionError(
      'clientSecret',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `machine-to-machine sign-in needs the client secret of "${client.clientId}"`
        : '',
    );
  return runTokenRequest(
    client,
    {
      step: 'password-grant',
      secrets: [password],
      send: (signal) =>
        oauth.genericTokenEndpointRequest(
          as,
          oauthClient,
          basicAuthentication(client),
          'password',
          [
            ['grant_type', 'password'],
            ['username', username],
            ['password', password],
            ['scope', client.scope],
          ],
          requestOptions(client, signal),
        ),
      process: (response) => oauth.processGenericTokenEndpointResponse(as, oauthClient, response),
    },
    options,
  );
}
