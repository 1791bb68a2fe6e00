/**
 * The Angular layer's configuration: what an app passes to `provideIdentityAuth()`
 * or `IdentityAuthModule.forRoot()`, and its validation at start-up. The protocol
 * rules (URL, secret, timeout) are `/core`'s `createIdentityClient`; this file adds
 * only what depends on the platform and the Angular options.
 */
import { InjectionToken } from '@angular/core';
import { createIdentityClient, type IdentityClient } from 'b2trader.identity.auth/core';

import { compileApiMatcher } from './http/api-matcher';
import { DEFAULT_REFRESH_TIMING, type RefreshTiming } from './session/refresh-schedule';
import type { IdentityTokenStore } from './session/token-store';

/** Where tokens live: see the README's "Storage" section for the trade-offs. */
export type IdentityTokenStorage = 'memory' | 'session' | 'local' | IdentityTokenStore;

/** Configuration of `provideIdentityAuth()` / `IdentityAuthModule.forRoot()`. */
export interface IdentityAuthConfig {
  /**
   * Base URL of B2Trader: absolute (`https://example.com`), or a path such as `/`
   * resolved against the document's base URI (the identity service then lives on the
   * app's own origin under `/identity`).
   */
  url: string;
  /** `spa` or `spa_admin` in browsers; `core_ib` and `lk` on the server platform only. */
  clientId: string;
  /** Required for `spa_admin`, `core_ib` and `lk`. Never logged. */
  clientSecret?: string;
  /**
   * The name the identity service gives itself (its issuer), checked on every sign-in.
   * Default: `<url>/identity`, which is right when the service is reached on its own
   * address or through a proxy on the app's origin that it knows about. Set it when the
   * service names itself by another address, e.g. a real environment behind a
   * development proxy (`https://b2trader-test.example.com/identity`).
   */
  issuer?: string;
  /**
   * APIs whose requests get the access token (used by the interceptor): absolute
   * origins with an optional path prefix (`https://api.example.com/v1/`), or path
   * prefixes on the document's origin (`/api/`). Default: none.
   */
  apis?: readonly string[];
  /** `memory` (default), `session`, `local`, or a custom store. */
  storage?: IdentityTokenStorage;
  /** Proactive-refresh timing; see {@link RefreshTiming}. */
  refresh?: Partial<RefreshTiming>;
  /** Time limit of each identity request, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Requests to protected APIs wait until start-up's restore has finished. Default false. */
  waitForRestore?: boolean;
}

/** A config, or a factory run at start-up in an injection context (e.g. to load `config.json`). */
export type IdentityAuthConfigSource = IdentityAuthConfig | (() => IdentityAuthConfig | Promise<IdentityAuthConfig>);

/** The validated configuration the engine works with. */
export interface ResolvedIdentityAuthConfig {
  readonly client: IdentityClient;
  readonly clientId: string;
  readonly apis: readonly string[];
  readonly storage: IdentityTokenStorage;
  readonly refresh: RefreshTiming;
  readonly waitForRestore: boolean;
}

/** The config (or its factory) as the app gave it. */
export const IDENTITY_AUTH_CONFIG_SOURCE = new InjectionToken<IdentityAuthConfigSource>(
  ngDevMode ? 'b2trader.identity.auth: config' : '',
);

const BROWSER_CLIENTS = ['spa', 'spa_admin'];
const SERVER_CLIENTS = ['core_ib', 'lk'];
const CLIENTS_WITH_SECRET = ['spa_admin', 'core_ib', 'lk'];

/**
 * Throws the start-up error for `option`. Call sites pass `ngDevMode && '<the whole
 * message>'`, so that production bundles keep only the option's name.
 */
function fail(option: string, message: string | false | null): never {
  throw new TypeError(`b2trader.identity.auth: ${message || `"${option}" is not valid (development builds say why)`}`);
}

/** Context of the validation: where the app runs and what it provided besides the config. */
export interface ConfigContext {
  readonly isBrowser: boolean;
  readonly baseUri: string | undefined;
  /** True when `withTokenStore()` was provided. */
  readonly hasTokenStoreFeature: boolean;
}

/**
 * Validates an app's configuration and resolves it. Throws a `TypeError` naming
 * the option and the fix.
 */
export function resolveIdentityAuthConfig(
  config: IdentityAuthConfig,
  context: ConfigContext,
): ResolvedIdentityAuthConfig {
  if (!config || typeof config !== 'object')
    fail('config', ngDevMode && 'provideIdentityAuth() needs a config object such as { url: "/", clientId: "spa" }.');
  const { clientId } = config;
  const allowed = context.isBrowser ? BROWSER_CLIENTS : [...BROWSER_CLIENTS, ...SERVER_CLIENTS];
  if (typeof clientId !== 'string' || !allowed.includes(clientId)) {
    fail(
      'clientId',
      ngDevMode &&
        (context.isBrowser && SERVER_CLIENTS.includes(clientId)
          ? `"clientId" ${clientId} is a machine-to-machine client for the server platform only; use "spa" or "spa_admin" in a browser.`
          : `"clientId" must be one of ${allowed.join(', ')}.`),
    );
  }
  if (CLIENTS_WITH_SECRET.includes(clientId) && !config.clientSecret)
    fail(
      'clientId',
      ngDevMode &&
        `"clientId" ${clientId} needs "clientSecret"; set it (from the environment, never from source control).`,
    );

  let url = config.url;
  if (typeof url === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    if (!context.baseUri)
      fail(
        'url',
        ngDevMode &&
          `"url" ${JSON.stringify(url)} is a path but there is no document to resolve it against; give an absolute URL.`,
      );
    url = new URL(url || '/', context.baseUri).href;
  }
  if (config.issuer !== undefined && (typeof config.issuer !== 'string' || !/^https?:\/\/[^/]/i.test(config.issuer)))
    fail('issuer', ngDevMode && '"issuer" must be an absolute http(s) URL, such as "https://example.com/identity".');
  const client = createIdentityClient({
    url,
    clientId,
    clientSecret: config.clientSecret,
    timeoutMs: config.timeoutMs,
    issuer: config.issuer,
  });

  const apis = config.apis ?? [];
  // The interceptor's own compiler is the one set of rules: an entry it would refuse at
  // the first request is refused here, at start-up, naming `apis[i]`.
  compileApiMatcher({ apis, identityBaseUrl: client.baseUrl }, context.baseUri);

  const storage = config.storage ?? 'memory';
  const isCustom = typeof storage === 'object' && storage !== null;
  if (!isCustom && !['memory', 'session', 'local'].includes(storage as string))
    fail('storage', ngDevMode && '"storage" must be "memory", "session", "local" or an IdentityTokenStore.');
  if (
    isCustom &&
    ['load', 'save', 'clear'].some(
      (method) => typeof (storage as unknown as Record<string, unknown>)[method] !== 'function',
    )
  )
    fail('storage', ngDevMode && '"storage" as an object must implement IdentityTokenStore (load, save, clear).');
  if (context.hasTokenStoreFeature && config.storage !== undefined)
    fail(
      'storage',
      ngDevMode && '"storage" in the config and withTokenStore() both choose the token store; keep one of them.',
    );

  const refresh: RefreshTiming = { ...DEFAULT_REFRESH_TIMING, ...config.refresh };
  if (!(refresh.ratio > 0 && refresh.ratio < 1))
    fail('refresh.ratio', ngDevMode && '"refresh.ratio" must be between 0 and 1, such as 0.75.');
  if (!(refresh.minLeadMs >= 0))
    fail('refresh.minLeadMs', ngDevMode && '"refresh.minLeadMs" must be zero or more milliseconds.');
  if (!(refresh.minDelayMs >= 100))
    fail('refresh.minDelayMs', ngDevMode && '"refresh.minDelayMs" must be at least 100 milliseconds.');

  return Object.freeze({
    client,
    clientId,
    apis: Object.freeze([...apis]),
    storage,
    refresh: Object.freeze(refresh),
    waitForRestore: config.waitForRestore === true,
  });
}
