/**
 * Which requests may carry the access token: the pure decision behind the interceptor.
 * URLs are resolved with the platform's own URL parser, the one fetch and XHR use, so
 * the origin we judge is the origin the browser will connect to.
 */
import { issuerForBaseUrl } from 'b2trader.identity.auth/core';

/** What the matcher reads from the configuration. */
export interface ApiMatcherSettings {
  /** Absolute origins with optional path prefixes, or paths on the document's origin. */
  readonly apis: readonly string[];
  /** The identity service's base URL; its endpoints (under `<url>/identity`) never get a token. */
  readonly identityBaseUrl: string;
}

/** Decides for one request URL (absolute, or relative to the document) whether it gets the token. */
export type ApiMatcher = (url: string) => boolean;

interface UrlRule {
  /** `scheme://host[:port]`, lower case, default port left out. */
  readonly origin: string;
  /** Normalised path without a trailing slash; `''` covers the whole origin. */
  readonly path: string;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * RFC 3986 §6.2.2: decode percent-escapes of unreserved characters and upper-case the
 * others, so that `/%61pi` and `/api` compare equal while `/api%2Fx` stays one segment.
 */
function normalizePath(path: string): string {
  return path.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const char = String.fromCharCode(parseInt(escape.slice(1), 16));
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}

function parse(url: string, base: string | undefined): URL | null {
  try {
    return base ? new URL(url, base) : new URL(url);
  } catch {
    return null;
  }
}

function isHttp(url: URL): boolean {
  return url.protocol === 'https:' || url.protocol === 'http:';
}

function ruleFor(url: URL): UrlRule {
  return { origin: `${url.protocol}//${url.host}`, path: normalizePath(url.pathname).replace(/\/+$/, '') };
}

/** Same origin, and the path is the prefix itself or below it (segment boundary). */
function covers(rule: UrlRule, origin: string, path: string): boolean {
  return rule.origin === origin && (rule.path === '' || path === rule.path || path.startsWith(`${rule.path}/`));
}

/** Production bundles keep only the entry's index; development builds say what is wrong. */
function refuse(where: string, problem: string | false | null): never {
  throw new TypeError(`${where} ${problem || 'must be an http(s) origin with an optional path prefix, or a path'}`);
}

function compileEntry(entry: unknown, index: number, base: string | undefined): UrlRule | null {
  const where = `b2trader.identity.auth: apis[${index}]`;
  if (typeof entry !== 'string' || entry.trim() === '') {
    refuse(where, ngDevMode && 'must be a non-empty string such as "https://api.example.com/v1" or "/api"');
  }
  const absolute = parse(entry, undefined);
  if (!absolute && !/^\/(?![/\\])/.test(entry)) {
    refuse(where, ngDevMode && 'must be an absolute URL such as "https://api.example.com" or a path such as "/api"');
  }
  // A path means the document's origin; without a document (server) it matches nothing.
  const url = absolute ?? parse(entry, base);
  if (!url) return null;
  if (!isHttp(url)) refuse(where, ngDevMode && 'must be an http: or https: URL, or a path such as "/api"');
  if (url.username || url.password) refuse(where, ngDevMode && 'must not contain a user name or password');
  if (url.search || url.hash || entry.includes('?') || entry.includes('#')) {
    refuse(where, ngDevMode && 'must be an origin with an optional path prefix, without a query or fragment');
  }
  return ruleFor(url);
}

/**
 * Compiles the allow-list once. The returned function answers, for a request URL
 * resolved against `documentBaseUri`, whether it may carry `Authorization: Bearer`:
 * only http(s) URLs without user info, on exactly an allow-listed origin (scheme,
 * host, port after the URL parser's normalisation of case, default ports, IPv6 and
 * IPv4 forms, percent-escapes in hosts), under the entry's path prefix on a segment
 * boundary (`/api` covers `/api` and `/api/x`, not `/apix`), and never below
 * `<identityBaseUrl>/identity`. Paths compare case-sensitively, as URL paths do,
 * except the identity exclusion, which is case-insensitive so that it can only widen.
 *
 * @throws TypeError naming the entry when an `apis` entry is not an http(s) origin
 *   with an optional path (user info, a query or a fragment are refused).
 *
 * @example
 * ```ts
 * const isProtected = compileApiMatcher({ apis: ['https://api.example.com/v1', '/api'], identityBaseUrl: 'https://example.com' }, document.baseURI);
 * isProtected('https://api.example.com/v1/orders'); // true
 * isProtected('https://api.example.com/v10');       // false
 * ```
 */
export function compileApiMatcher(settings: ApiMatcherSettings, documentBaseUri: string | undefined): ApiMatcher {
  const base = documentBaseUri && parse(documentBaseUri, undefined) ? documentBaseUri : undefined;
  if (!Array.isArray(settings.apis)) {
    throw new TypeError(
      ngDevMode
        ? 'b2trader.identity.auth: "apis" must be an array such as ["https://api.example.com", "/api"]'
        : 'b2trader.identity.auth: "apis"',
    );
  }
  const rules = settings.apis.map((entry, index) => compileEntry(entry, index, base)).filter((r) => !!r);
  if (rules.length === 0) return () => false;
  const identityBase = parse(issuerForBaseUrl(settings.identityBaseUrl ?? ''), base);
  const identityRule = identityBase && ruleFor(identityBase);
  const identity = identityRule && { origin: identityRule.origin, path: identityRule.path.toLowerCase() };

  const decide = (url: string): boolean => {
    const target = parse(url, base);
    if (!target || !isHttp(target) || target.username || target.password) return false;
    const origin = `${target.protocol}//${target.host}`;
    const path = normalizePath(target.pathname);
    if (identity && covers(identity, origin, path.toLowerCase())) return false;
    return rules.some((rule) => covers(rule, origin, path));
  };
  // An app calls the same few URLs over and over: parsing each one once keeps the
  // interceptor cheap. Bounded, so that URLs with ever-changing parts cannot grow it.
  const verdicts = new Map<string, boolean>();
  return (url: string): boolean => {
    if (typeof url !== 'string') return false;
    let verdict = verdicts.get(url);
    if (verdict === undefined) {
      verdict = decide(url);
      if (verdicts.size >= MAX_REMEMBERED_URLS) verdicts.clear();
      verdicts.set(url, verdict);
    }
    return verdict;
  };
}

const MAX_REMEMBERED_URLS = 512;

// Compiled allow-lists by `apis` array: the settings' getters may answer a new array
// once a config factory has run, and then the same (frozen) one for every request.
const compiled = new WeakMap<readonly string[], { identityBaseUrl: string; matcher: ApiMatcher }>();

/**
 * {@link compileApiMatcher}, compiled once per `apis` array and identity base URL:
 * what the interceptor calls for every request. The base URI may be given as a
 * function, asked only when the list is compiled.
 */
export function apiMatcherFor(
  settings: ApiMatcherSettings,
  documentBaseUri: string | undefined | (() => string | undefined),
): ApiMatcher {
  const { apis, identityBaseUrl } = settings;
  const hit = Array.isArray(apis) ? compiled.get(apis) : undefined;
  if (hit && hit.identityBaseUrl === identityBaseUrl) return hit.matcher;
  const baseUri = typeof documentBaseUri === 'function' ? documentBaseUri() : documentBaseUri;
  const matcher = compileApiMatcher(settings, baseUri);
  compiled.set(apis, { identityBaseUrl, matcher });
  return matcher;
}
