/**
 * The protocol client's configuration: one object every protocol step takes,
 * built once from the options an app gives.
 */
import * as oauth from 'oauth4webapi';

import { type ClientId, IDENTITY_PATHS, issuerForBaseUrl, LOOPBACK_HOSTS, scopeForClient } from './clients';
import { optionError } from './errors';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/** Options of the protocol client. Only `url` and `clientId` are required. */
export interface IdentityClientOptions {
  /** Base URL of B2Trader, without `/identity` (the identity service lives under `<url>/identity`). In a browser a path (`''`, `/`) means the page's origin. */
  url: string;
  /** `spa` or `spa_admin` in browsers; `core_ib` or `lk` for machine-to-machine sign-in. */
  clientId: ClientId;
  /** The client secret: `spa_admin`, `core_ib` and `lk` have one. Never logged, never in an error. */
  clientSecret?: string;
  /** The scope to request; defaults to the client's preset (docs/protocol.md, "Clients and scopes"). */
  scope?: string;
  /** A fetch to use instead of the global one (tests, instrumentation, Node agents). */
  fetch?: typeof fetch;
  /**
   * Time limit of every call, in milliseconds: 1 to {@link MAX_TIMEOUT_MS}. Default 10 000.
   * It holds even when a custom `fetch` ignores its abort signal.
   */
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

/** The largest `timeoutMs`: timers of 2^31 ms or more fire at once in browsers and Node. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A resolved, validated configuration: what the protocol steps take. Only
 * {@link createIdentityClient} makes one; the secret and oauth4webapi's view of
 * the server stay inside the library.
 */
export interface IdentityClient {
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly issuer: string;
  readonly clientId: ClientId;
  readonly hasSecret: boolean;
  readonly scope: string;
  readonly redirectUri: string;
  readonly timeoutMs: number;
  readonly allowInsecureRequests: boolean;
  /** The fetch every request goes through. */
  readonly fetch: typeof fetch;
  /** Absolute URL of an identity path. */
  url(path: string): URL;
}

/** What only the protocol steps read (internal). */
export interface ClientInternals {
  readonly as: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  readonly secret: string | undefined;
}

const INTERNALS = new WeakMap<IdentityClient, ClientInternals>();

/** The internals of a client made by {@link createIdentityClient}; a `TypeError` for anything else. */
export function internalsOf(client: IdentityClient): ClientInternals {
  const found = typeof client === 'object' && client !== null ? INTERNALS.get(client) : undefined;
  if (!found) {
    throw optionError(
      'client',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"client" must be made by createIdentityClient()' : '',
    );
  }
  return found;
}

function resolveBase(url: string): URL {
  if (typeof url !== 'string')
    throw optionError(
      'url',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"url" must be a string such as https://example.com' : '',
    );
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  let resolved: URL;
  try {
    resolved = origin && (url === '' || url.startsWith('/')) ? new URL(url || '/', origin) : new URL(url);
  } catch {
    throw optionError(
      'url',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? '"url" must be an absolute http(s) URL such as https://example.com'
        : '',
    );
  }
  if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') {
    throw optionError(
      'url',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"url" must use https: (or http: on loopback)' : '',
    );
  }
  return resolved;
}

function checkTimeout(value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw optionError(
      'timeoutMs',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `"timeoutMs" must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (about 24.8 days)`
        : '',
    );
  }
  return value;
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
    throw optionError(
      'url',
      typeof ngDevMode === 'undefined' || ngDevMode ? 'options must be an object with "url" and "clientId"' : '',
    );
  const base = resolveBase(options.url);
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw optionError(
      'clientId',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? '"clientId" must be a non-empty string (spa, spa_admin, core_ib or lk)'
        : '',
    );
  }
  if (options.clientSecret !== undefined && (typeof options.clientSecret !== 'string' || options.clientSecret === '')) {
    throw optionError(
      'clientSecret',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"clientSecret" must be a non-empty string when given' : '',
    );
  }
  const timeoutMs = checkTimeout(options.timeoutMs ?? 10_000);
  const clockToleranceSec = options.clockToleranceSec ?? 30;
  if (!Number.isFinite(clockToleranceSec) || clockToleranceSec < 0)
    throw optionError(
      'clockToleranceSec',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"clockToleranceSec" must be zero or more seconds' : '',
    );
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchImpl !== 'function')
    throw optionError(
      'fetch',
      typeof ngDevMode === 'undefined' || ngDevMode ? 'no global fetch here; pass "fetch" in the options' : '',
    );

  const baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  const allowInsecureRequests =
    options.allowInsecureRequests === true || (base.protocol === 'http:' && LOOPBACK_HOSTS.has(base.hostname));
  if (base.protocol === 'http:' && !allowInsecureRequests) {
    throw optionError(
      'url',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? '"url" uses http: on a non-loopback host; use https: (or set allowInsecureRequests for a test bed)'
        : '',
    );
  }
  const issuer = options.issuer ?? issuerForBaseUrl(baseUrl);
  const url = (path: string) => new URL(`${baseUrl}${path}`);

  const identityClient: IdentityClient = Object.freeze({
    baseUrl,
    issuer,
    clientId: options.clientId,
    hasSecret: options.clientSecret !== undefined,
    scope: options.scope ?? scopeForClient(options.clientId),
    redirectUri: url(IDENTITY_PATHS.signInDone).href,
    timeoutMs,
    allowInsecureRequests,
    fetch: fetchImpl,
    url,
  });
  INTERNALS.set(identityClient, {
    as: {
      issuer,
      authorization_endpoint: url(IDENTITY_PATHS.authorize).href,
      token_endpoint: url(IDENTITY_PATHS.token).href,
      // docs/protocol.md §2 does not promise `iss` on the authorize answer: checked when present.
      authorization_response_iss_parameter_supported: false,
    },
    client: { client_id: options.clientId, [oauth.clockTolerance]: clockToleranceSec },
    secret: options.clientSecret,
  });
  return identityClient;
}
