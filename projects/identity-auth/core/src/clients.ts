/**
 * Client presets of B2Trader's IdentityServer: which scope each client asks for
 * and where each endpoint lives. Protocol facts live here once.
 *
 * @see docs/protocol.md, "Clients and scopes"
 */

/** The client ids B2Trader's IdentityServer knows. */
export type KnownClientId = 'spa' | 'spa_admin' | 'core_ib' | 'lk';

/**
 * A client id: one of the four B2Trader knows (editors offer them), or any other
 * string for a client registered later.
 */
// `string & {}` keeps the four literals from being absorbed into `string`, so that editors still offer them
export type ClientId = KnownClientId | (string & {});

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
});

/** Hosts on which plain `http:` is allowed: the machine itself. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether two URLs name the same endpoint: same origin and path; query and fragment aside. */
export function isSameEndpoint(a: URL, b: URL): boolean {
  return a.origin === b.origin && a.pathname === b.pathname;
}

/** The scope a client requests: its preset, or `openid offline_access` for an unknown client. */
export function scopeForClient(clientId: string): string {
  return (CLIENT_SCOPES as Record<string, string>)[clientId] ?? 'openid offline_access';
}

/** The issuer identifier for a base URL: `<url>/identity`, without a trailing slash on the base. */
export function issuerForBaseUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/identity`;
}
