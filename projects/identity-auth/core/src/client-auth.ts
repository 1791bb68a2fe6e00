/**
 * How each token request authenticates the client.
 *
 * @see docs/protocol.md §3, §4, §6; RFC 6749 §2.3.1
 */
import type * as oauth from 'oauth4webapi';

import { internalsOf, type IdentityClient } from './config';

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/**
 * `Authorization: Basic base64(client_id ":" client_secret)`, with an empty secret
 * for a public client (docs/protocol.md §3: `spa` sends one). Id and secret are
 * form-encoded first (RFC 6749 §2.3.1), which changes nothing for B2Trader's ids.
 */
export function basicAuthentication(client: IdentityClient): oauth.ClientAuth {
  const { secret } = internalsOf(client);
  return (_as, oauthClient, _body, headers) => {
    const credentials = `${formEncode(oauthClient.client_id)}:${formEncode(secret ?? '')}`;
    headers.set('authorization', `Basic ${btoa(credentials)}`);
  };
}

/**
 * Refresh (docs/protocol.md §4): a public client sends only `client_id` in the body;
 * a client with a secret authenticates with Basic (1.2 did not; it should).
 */
export function refreshAuthentication(client: IdentityClient): oauth.ClientAuth {
  if (client.hasSecret) return basicAuthentication(client);
  return (_as, oauthClient, body) => {
    body.set('client_id', oauthClient.client_id);
  };
}
