/**
 * Client presets of B2Trader's IdentityServer: which scope each client asks for
 * and where each endpoint lives. Protocol facts live here once.
 *
 * @see PROTOCOL.md "Clients and scopes"
 */

/** The client ids B2Trader's IdentityServer knows. */
export type KnownClientId = 'spa' | 'spa_admin' | 'core_ib' | 'lk';

/** Scope requested by each known client, exactly as the wire protocol sends it. */
export const CLIENT_SCOPES: Readonly<Record<KnownClientId, string>> = Object.freeze({
  spa: 'openid offline_access FrontOffice',
  spa_admin: 'openid offline_access FrontOffice BackOffice',
  core_ib: 'openid offline_access BackOffice',
  lk: 'openid offline_access FrontOffice',
});

/** Paths of the identity endpoints, relative to the configured base URL. */
export const IDENTITY_PATHS = Object.freeze({
  signIn: '/identity/sign-in',
  signOut: '/identity/sign-out',
  authorize: '/identity/connect/authorize',
  token: '/identity/connect/token',
  signInDone: '/identity/sign-in-done',
  unauthorized: '/identity/unauthorized',
  discovery: '/identity/.well-known/openid-configuration',
});

/** The scope a client requests: its preset, or `openid offline_access` for an unknown client. */
export function scopeForClient(clientId: string): string {
  return (CLIENT_SCOPES as Record<string, string>)[clientId] ?? 'openid offline_access';
}

/** The issuer identifier for a base URL: `<url>/identity`, without a trailing slash on the base. */
export function issuerForBaseUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/identity`;
}
