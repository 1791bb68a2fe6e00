/**
 * Step 2 of the login chain: the authorization-code request with PKCE, driven by
 * fetch (follow the redirects, read the final URL), and the validation of its result.
 * Every attempt has its own PKCE verifier, `state` and `nonce`.
 *
 * @see docs/protocol.md §2; RFC 7636 (PKCE); RFC 9207 (`iss`); RFC 6749 §4.1.2 and §10.12 (`state`)
 */
import * as oauth from 'oauth4webapi';

import { IDENTITY_PATHS, isSameEndpoint } from './clients';
import { internalsOf, type IdentityClient } from './config';
import { cookieHeader } from './cookies';
import { LIBRARY_ERROR_CODES, type LibraryErrorCode } from './error-codes';
import {
  errorFromHttpAnswer,
  IdentityAuthError,
  type IdentityAuthErrorKind,
  isIdentityAuthError,
  issuerMismatchAdvice,
  kindForOAuthError,
} from './errors';
import type { SignInResult } from './sign-in';
import { type CallOptions, checkHeaders, withTransport } from './transport';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/** One authorize attempt: what must be kept until its code is exchanged. */
export interface AuthorizationRequest {
  /** The authorize URL to request. */
  readonly url: URL;
  readonly state: string;
  readonly nonce: string;
  /** The PKCE verifier; secret until the code exchange. */
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

/** A validated authorize result: the code and what its exchange needs. */
export interface AuthorizationResult {
  readonly code: string;
  readonly request: AuthorizationRequest;
  /** The validated callback parameters (`code`, `scope`, `state`, `session_state`, `iss`). */
  readonly parameters: URLSearchParams;
}

/** Options of {@link authorize}. */
export interface AuthorizeOptions extends CallOptions {
  /**
   * Extra request headers, e.g. `{ Cookie }` in Node (1.2 style). Sent to the identity
   * service's own origin only, never to another host a redirect points to.
   */
  headers?: HeadersInit;
  /**
   * The sign-in this authorize continues. In Node its session cookies are sent (before
   * `headers`, which win); in browsers the browser sends them. When it asked for a
   * second factor and authorize finds no session, the error says the second factor
   * is pending (code `second_factor_pending`).
   */
  signInResult?: SignInResult;
  /**
   * `follow`: the runtime follows redirects and keeps cookies (browsers; the default
   * when there is a `document`). `manual`: follow them here, carrying `headers`
   * (Node; the default elsewhere).
   */
  redirect?: 'follow' | 'manual';
  /** Reuse a prepared attempt instead of creating one. */
  request?: AuthorizationRequest;
}

const MAX_HOPS = 10;

/** A failure of the authorize step with one of {@link LIBRARY_ERROR_CODES}. */
function authorizeError(
  kind: IdentityAuthErrorKind,
  message: string,
  code: LibraryErrorCode,
  status?: number,
): IdentityAuthError {
  return new IdentityAuthError(kind, message, { step: 'authorize', status, code });
}

/**
 * Creates one authorize attempt: a fresh PKCE verifier, `state` and `nonce`, and the URL.
 * @see docs/protocol.md §2
 */
export async function createAuthorizationRequest(client: IdentityClient): Promise<AuthorizationRequest> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = client.url(IDENTITY_PATHS.authorize);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    scope: client.scope,
    state,
    nonce,
  }).toString();
  return { url, state, nonce, codeVerifier, redirectUri: client.redirectUri };
}

/**
 * Validates where an authorize request ended. Pure apart from oauth4webapi's checks:
 *
 * - `/identity/unauthorized` → `login_required`
 * - not the registered redirect URI (origin + path) → `invalid_response`
 * - `state` missing, different or repeated → `state_mismatch`
 * - `error=…` → `access_denied`, `login_required`, … with the server's description
 * - `iss` present but not the issuer → `invalid_response`
 *
 * @see docs/protocol.md §2; RFC 6749 §4.1.2; RFC 9207
 */
export function validateAuthorizationResult(
  client: IdentityClient,
  request: AuthorizationRequest,
  finalUrl: string | URL,
): AuthorizationResult {
  const { as, client: oauthClient } = internalsOf(client);
  const url = new URL(finalUrl);
  const step = 'authorize';
  if (isSameEndpoint(url, client.url(IDENTITY_PATHS.unauthorized))) {
    throw authorizeError(
      'login_required',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'authorize failed: there is no valid identity session. Sign in first.'
        : '',
      LIBRARY_ERROR_CODES.noIdentitySession,
    );
  }
  if (!isSameEndpoint(url, new URL(request.redirectUri))) {
    throw authorizeError(
      'invalid_response',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'authorize failed: the answer did not end at the registered redirect URI.'
        : '',
      LIBRARY_ERROR_CODES.unexpectedRedirect,
    );
  }
  const states = url.searchParams.getAll('state');
  if (states.length !== 1 || states[0] !== request.state) {
    throw authorizeError(
      'state_mismatch',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `authorize failed: the answer's state is ${states.length === 0 ? 'missing' : states.length > 1 ? 'repeated' : 'not the one sent'}; the code was not used.`
        : '',
      LIBRARY_ERROR_CODES.stateMismatch,
    );
  }
  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(as, oauthClient, url.searchParams, request.state);
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError) {
      const kind = kindForOAuthError(err.error);
      const description = err.error_description ?? undefined;
      throw new IdentityAuthError(
        kind,
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `authorize failed: ${err.error}${description ? ` (${description})` : ''}.`
          : '',
        {
          step,
          code: err.error,
          description,
          cause: err,
        },
      );
    }
    throw new IdentityAuthError(
      'invalid_response',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `authorize failed: ${err instanceof Error ? err.message : 'invalid answer'}${issuerMismatchAdvice(err)}.`
        : '',
      { step, code: (err as { code?: string }).code, cause: err },
    );
  }
  const codes = parameters.getAll('code');
  if (codes.length > 1)
    // RFC 6749 §3.1: a parameter appears at most once; which of two codes is ours cannot be known.
    throw authorizeError(
      'invalid_response',
      typeof ngDevMode === 'undefined' || ngDevMode ? 'authorize failed: the answer has more than one code.' : '',
      LIBRARY_ERROR_CODES.repeatedCode,
    );
  const code = codes[0];
  if (!code)
    throw authorizeError(
      'invalid_response',
      typeof ngDevMode === 'undefined' || ngDevMode ? 'authorize failed: the answer has no code.' : '',
      LIBRARY_ERROR_CODES.missingCode,
    );
  return { code, request, parameters };
}

function isTarget(client: IdentityClient, url: URL, request: AuthorizationRequest): boolean {
  return (
    isSameEndpoint(url, new URL(request.redirectUri)) || isSameEndpoint(url, client.url(IDENTITY_PATHS.unauthorized))
  );
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // nothing to release
  }
}

/**
 * Runs the authorize request with the identity session (the browser's cookies, or
 * in Node the cookies of `signInResult` and `headers`) and returns the validated
 * code. Throws `login_required` when there is no session, and the kinds of
 * {@link validateAuthorizationResult}.
 *
 * @see docs/protocol.md §2
 * @example
 * ```ts
 * const signInResult = await signIn(client, email, password);
 * const result = await authorize(client, { signInResult }); // browsers send the cookie themselves
 * const tokens = await exchangeCode(client, result);
 * ```
 */
export async function authorize(client: IdentityClient, options: AuthorizeOptions = {}): Promise<AuthorizationResult> {
  internalsOf(client);
  const headers = checkHeaders(cookieHeader(options.signInResult?.cookies ?? []), 'signInResult');
  checkHeaders(options.headers, 'headers').forEach((value, name) => headers.set(name, value));
  const request = options.request ?? (await createAuthorizationRequest(client));
  const mode = options.redirect ?? (typeof document === 'undefined' ? 'manual' : 'follow');
  const call = { ...options, headers };
  return withTransport(
    client,
    'authorize',
    options,
    async (signal) => {
      try {
        return mode === 'follow'
          ? await followRedirects(client, request, call, signal)
          : await followRedirectsByHand(client, request, call, signal);
      } catch (err) {
        throw options.signInResult?.secondFactorRequired ? secondFactorPending(err) : err;
      }
    },
    [request.codeVerifier, headers.get('cookie') ?? undefined],
  );
}

/** No session after a sign-in that asked for a second factor: say so, rather than "sign in first". */
function secondFactorPending(err: unknown): unknown {
  if (!isIdentityAuthError(err, 'login_required') || err.code !== LIBRARY_ERROR_CODES.noIdentitySession) return err;
  return authorizeError(
    'login_required',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? 'authorize failed: the second factor of this sign-in is still pending. Finish it, then call authorize() again.'
      : '',
    LIBRARY_ERROR_CODES.secondFactorPending,
  );
}

/** Where the request ended: validated when it is the redirect URI, else why not. */
function finish(
  client: IdentityClient,
  request: AuthorizationRequest,
  finalUrl: URL,
  response: Response,
): AuthorizationResult {
  if (!isTarget(client, finalUrl, request)) {
    // A busy or failing service is transient.
    if (response.status >= 500 || response.status === 429)
      throw errorFromHttpAnswer('authorize', response.status, response.headers, '');
    const atEndpoint = isSameEndpoint(finalUrl, client.url(IDENTITY_PATHS.authorize));
    // No authorize endpoint there: the base URL is wrong.
    if (atEndpoint && response.status === 404)
      throw errorFromHttpAnswer('authorize', response.status, response.headers, '');
    // The authorize endpoint refusing to redirect at all: unknown client or redirect URI.
    if (atEndpoint && response.status >= 400) {
      throw authorizeError(
        'invalid_client',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `authorize failed: the identity service refused the request (${response.status}); check the client id and that ${request.redirectUri} is registered.`
          : '',
        LIBRARY_ERROR_CODES.authorizeRefused,
        response.status,
      );
    }
  }
  return validateAuthorizationResult(client, request, finalUrl);
}

/** Browsers: the runtime follows the redirects with its own cookies. */
async function followRedirects(
  client: IdentityClient,
  request: AuthorizationRequest,
  options: AuthorizeOptions,
  signal: AbortSignal,
): Promise<AuthorizationResult> {
  const response = await client.fetch(request.url, {
    credentials: 'include',
    redirect: 'follow',
    headers: options.headers,
    signal,
  });
  await discard(response);
  return finish(client, request, new URL(response.url || request.url.href), response);
}

/** Node: follow by hand, so that the session cookie goes along to the identity service. */
async function followRedirectsByHand(
  client: IdentityClient,
  request: AuthorizationRequest,
  options: AuthorizeOptions,
  signal: AbortSignal,
): Promise<AuthorizationResult> {
  const identityOrigin = new URL(client.baseUrl).origin;
  let current = request.url;
  for (let hop = 0; hop <= MAX_HOPS; hop += 1) {
    const response = await client.fetch(current, {
      redirect: 'manual',
      headers: current.origin === identityOrigin ? options.headers : undefined,
      signal,
    });
    await discard(response);
    // A worker has no document but hides redirects like a page does: let it follow.
    if (response.type === 'opaqueredirect') return followRedirects(client, request, options, signal);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      try {
        current = new URL(location, current);
      } catch {
        throw authorizeError(
          'invalid_response',
          typeof ngDevMode === 'undefined' || ngDevMode ? 'authorize failed: a redirect has an invalid Location.' : '',
          LIBRARY_ERROR_CODES.invalidLocation,
          response.status,
        );
      }
      // The session goes to the identity service only: stop where a redirect leaves it.
      if (isTarget(client, current, request) || current.origin !== identityOrigin)
        return validateAuthorizationResult(client, request, current);
      continue;
    }
    return finish(client, request, current, response);
  }
  throw authorizeError(
    'invalid_response',
    typeof ngDevMode === 'undefined' || ngDevMode ? `authorize failed: more than ${MAX_HOPS} redirects.` : '',
    LIBRARY_ERROR_CODES.tooManyRedirects,
  );
}
