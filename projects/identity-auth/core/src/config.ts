/**
 * The protocol client's configuration: one object every protocol step takes,
 * built once from the options an app gives.
 */
import * as oauth from 'oauth4webapi';

import { IDENTITY_PATHS, issuerForBaseUrl, scopeForClient } from './clients';

/** Options of the protocol client. Only `url` and `clientId` are required. */
export interface IdentityClientOptions {
  /** Base URL of B2Trader (the identity service lives under `<url>/identity`). In a browser a path (`''`, `/`) means the page's origin. */
  url: string;
  /** `spa` or `spa_admin` in browsers; `core_ib` or `lk` for machine-to-machine sign-in. */
  clientId: string;
  /** The client secret: `spa_admin`, `core_ib` and `lk` have one. Never logged. */
  clientSecret?: string;
  /** The scope to request; defaults to the client's preset from PROTOCOL.md. */
  scope?: string;
  /** A fetch to use instead of the global one (tests, instrumentation, Node agents). */
  fetch?: typeof fetch;
  /** Time limit of every request, in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Clock tolerance for id_token `exp`/`iat`, in seconds. Default 30. */
  clockToleranceSec?: number;
  /** The issuer identifier, when it is not `<url>/identity`. */
  issuer?: string;
  /**
   * Allow `http:` URLs. Loopback hosts (127.0.0.1, localhost, [::1]) are always allowed;
   * anything else over plain HTTP sends credentials in clear. Do not set this in production.
   */
  allowInsecureRequests?: boolean;
}

/** A resolved, validated configuration: what the protocol steps read. */
export interface IdentityClient {
  readonly baseUrl: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly hasSecret: boolean;
  readonly scope: string;
  readonly redirectUri: string;
  readonly timeoutMs: number;
  readonly allowInsecureRequests: boolean;
  readonly fetch: typeof fetch;
  /** oauth4webapi's view of the authorization server, built from `url` (no discovery round trip). */
  readonly as: oauth.AuthorizationServer;
  /** oauth4webapi's view of this client. */
  readonly client: oauth.Client;
  /** The client's secret, readable only by the protocol steps (not enumerable, not in JSON). */
  readonly secret: () => string | undefined;
  /** Absolute URL of an identity path. */
  url(path: string): URL;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function resolveBase(url: string): URL {
  if (typeof url !== 'string')
    throw new TypeError('b2trader.identity.auth: "url" must be a string such as https://example.com');
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  let resolved: URL;
  try {
    resolved = origin && (url === '' || url.startsWith('/')) ? new URL(url || '/', origin) : new URL(url);
  } catch {
    throw new TypeError('b2trader.identity.auth: "url" must be an absolute http(s) URL such as https://example.com');
  }
  if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') {
    throw new TypeError('b2trader.identity.auth: "url" must use https: (or http: on loopback)');
  }
  return resolved;
}

/**
 * Validates options and builds the {@link IdentityClient} every protocol step takes.
 * Throws a `TypeError` naming the option and the fix when something is wrong.
 *
 * @example
 * ```ts
 * const client = createIdentityClient({ url: 'https://example.com', clientId: 'spa' });
 * const result = await signIn(client, email, password);
 * ```
 */
export function createIdentityClient(options: IdentityClientOptions): IdentityClient {
  if (!options || typeof options !== 'object')
    throw new TypeError('b2trader.identity.auth: options must be an object with "url" and "clientId"');
  const base = resolveBase(options.url);
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw new TypeError(
      'b2trader.identity.auth: "clientId" must be a non-empty string (spa, spa_admin, core_ib or lk)',
    );
  }
  if (options.clientSecret !== undefined && (typeof options.clientSecret !== 'string' || options.clientSecret === '')) {
    throw new TypeError('b2trader.identity.auth: "clientSecret" must be a non-empty string when given');
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new TypeError('b2trader.identity.auth: "timeoutMs" must be a positive number of milliseconds');
  const clockToleranceSec = options.clockToleranceSec ?? 30;
  if (!Number.isFinite(clockToleranceSec) || clockToleranceSec < 0)
    throw new TypeError('b2trader.identity.auth: "clockToleranceSec" must be zero or more seconds');
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchImpl !== 'function')
    throw new TypeError('b2trader.identity.auth: no global fetch here; pass "fetch" in the options');

  const baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  const allowInsecureRequests =
    options.allowInsecureRequests === true || (base.protocol === 'http:' && LOOPBACK.has(base.hostname));
  if (base.protocol === 'http:' && !allowInsecureRequests) {
    throw new TypeError(
      'b2trader.identity.auth: "url" uses http: on a non-loopback host; use https: (or set allowInsecureRequests for a test bed)',
    );
  }
  const issuer = options.issuer ?? issuerForBaseUrl(baseUrl);
  const secret = options.clientSecret;
  const url = (path: string) => new URL(`${baseUrl}${path}`);

  const as: oauth.AuthorizationServer = {
    issuer,
    authorization_endpoint: url(IDENTITY_PATHS.authorize).href,
    token_endpoint: url(IDENTITY_PATHS.token).href,
    // PROTOCOL.md does not promise `iss` on the authorize answer: checked when present.
    authorization_response_iss_parameter_supported: false,
  };
  const client: oauth.Client = {
    client_id: options.clientId,
    [oauth.clockTolerance]: clockToleranceSec,
  };

  return Object.freeze({
    baseUrl,
    issuer,
    clientId: options.clientId,
    hasSecret: secret !== undefined,
    scope: options.scope ?? scopeForClient(options.clientId),
    redirectUri: url(IDENTITY_PATHS.signInDone).href,
    timeoutMs,
    allowInsecureRequests,
    fetch: fetchImpl,
    as,
    client,
    secret: () => secret,
    url,
  });
}
