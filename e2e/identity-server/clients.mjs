// The four B2Trader clients (docs/protocol.md, "Clients and scopes").
import { isLoopbackUrl } from './loopback.mjs';

export const RESOURCE = 'urn:b2trader:api';
export const RESOURCE_SCOPES = ['FrontOffice', 'BackOffice'];

export const CLIENTS = {
  spa: { secret: undefined, scope: 'openid offline_access FrontOffice', browser: true },
  spa_admin: { secret: 'client_secret_admin', scope: 'openid offline_access FrontOffice BackOffice', browser: true },
  core_ib: { secret: 'some_core_ib_secret', scope: 'openid offline_access BackOffice', browser: false },
  lk: { secret: 'some_lk_secret', scope: 'openid offline_access FrontOffice', browser: false },
};

/** oidc-provider client metadata for every B2Trader client. */
export function clientMetadata(publicUrl) {
  return Object.entries(CLIENTS).map(([clientId, c]) => ({
    client_id: clientId,
    ...(c.secret
      ? { client_secret: c.secret, token_endpoint_auth_method: 'client_secret_basic' }
      : { token_endpoint_auth_method: 'none' }),
    grant_types: c.browser ? ['authorization_code', 'refresh_token'] : ['password', 'refresh_token'],
    response_types: c.browser ? ['code'] : [],
    redirect_uris: c.browser ? [`${publicUrl}/identity/sign-in-done`] : [],
  }));
}

/** Resource scopes (FrontOffice/BackOffice) a client may hold. */
export function resourceScopesOf(clientId) {
  const c = CLIENTS[clientId];
  return c ? c.scope.split(' ').filter((s) => RESOURCE_SCOPES.includes(s)) : [];
}

/**
 * `sign-in-done` on any loopback origin is accepted, so that the emulator works
 * behind the Karma and dev-server proxies whatever port they pick.
 */
export function isLoopbackSignInDone(value) {
  if (!isLoopbackUrl(value)) return false;
  const url = new URL(value);
  return (
    url.protocol === 'http:' &&
    url.pathname === '/identity/sign-in-done' &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === ''
  );
}
