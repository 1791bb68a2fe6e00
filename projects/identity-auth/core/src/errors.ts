/**
 * The one error type of b2trader.identity.auth, and the mapping of every error
 * shape B2Trader's identity service answers with.
 *
 * @see PROTOCOL.md §1 (sign-in errors), §3 (RFC 7807 401), RFC 6749 §5.2 (OAuth errors)
 */

import { isRecord } from './json';

/**
 * What went wrong, as a stable string an app can switch on.
 *
 * - `invalid_credentials`: sign-in refused (wrong email or password, or second factor).
 * - `login_required`: authorize found no valid identity session (ended at `/identity/unauthorized`).
 * - `access_denied`: the server answered the authorize request with `error=access_denied`.
 * - `invalid_grant`: a code or refresh token was refused (used, revoked, expired, unknown).
 * - `invalid_client`: the client is misconfigured or not allowed to do this (wrong secret,
 *   unknown client, grant type or scope not allowed). Retrying will not help.
 * - `state_mismatch`: the authorize answer's `state` is missing, different or repeated.
 * - `invalid_response`: the server's answer is malformed or fails validation (id_token claims,
 *   issuer, redirect target, token shape). Nothing from it was kept.
 * - `rate_limited`: HTTP 429; `retryAfterMs` says how long to wait.
 * - `server`: HTTP 5xx or another unexpected status.
 * - `network`: the request never got an answer (offline, refused, reset, CORS).
 * - `timeout`: no answer within the configured time.
 */
export type IdentityAuthErrorKind =
  | 'invalid_credentials'
  | 'login_required'
  | 'access_denied'
  | 'invalid_grant'
  | 'invalid_client'
  | 'state_mismatch'
  | 'invalid_response'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout';

/** Which protocol step failed. */
export type IdentityAuthStep =
  'sign-in' | 'authorize' | 'token' | 'refresh' | 'password-grant' | 'sign-out' | 'discovery';

/** Details an {@link IdentityAuthError} carries beside its kind. */
export interface IdentityAuthErrorDetails {
  /** The step that failed. */
  step?: IdentityAuthStep;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** The server's own error code (`SignInUnsuccessful`, `invalid_grant`, …). */
  code?: string;
  /** The server's description or message, secrets redacted. */
  description?: string;
  /** The server's trace id (RFC 7807 `traceId`), for support requests. */
  traceId?: string;
  /** For `rate_limited`: how long the server asked to wait, in milliseconds. */
  retryAfterMs?: number;
  /** The underlying error, when one was caught. */
  cause?: unknown;
}

const TRANSIENT_KINDS: ReadonlySet<IdentityAuthErrorKind> = new Set(['network', 'timeout', 'server', 'rate_limited']);

/** Whether an error of this kind may go away by itself (network, timeout, 5xx, 429). */
export function isTransientKind(kind: IdentityAuthErrorKind): boolean {
  return TRANSIENT_KINDS.has(kind);
}

/**
 * Every failure of the protocol client. `kind` is stable; the message says what
 * happened and never contains a password, secret, code or token.
 *
 * @example
 * ```ts
 * try {
 *   await auth.signIn(email, password);
 * } catch (err) {
 *   if (isIdentityAuthError(err, 'invalid_credentials')) showWrongPassword();
 *   else if (isIdentityAuthError(err) && err.transient) retryLater();
 * }
 * ```
 */
export class IdentityAuthError extends Error {
  override readonly name = 'IdentityAuthError';
  readonly kind: IdentityAuthErrorKind;
  readonly step?: IdentityAuthStep;
  readonly status?: number;
  readonly code?: string;
  readonly description?: string;
  readonly traceId?: string;
  readonly retryAfterMs?: number;
  /** True for network, timeout, 5xx and 429: the same call may succeed later. */
  readonly transient: boolean;

  constructor(kind: IdentityAuthErrorKind, message: string, details: IdentityAuthErrorDetails = {}) {
    const cause = safeCause(details.cause);
    super(`b2trader.identity.auth: ${redactSecrets(message)}`, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.step = details.step;
    this.status = details.status;
    this.code = details.code;
    this.description = details.description === undefined ? undefined : redactSecrets(details.description);
    this.traceId = details.traceId;
    this.retryAfterMs = details.retryAfterMs;
    this.transient = isTransientKind(kind);
  }
}

/**
 * What of an underlying error is kept: its name, code and redacted message. Never
 * the error itself: oauth4webapi's errors hold the whole answer (tokens included)
 * and error reporters serialise `cause` deeply.
 */
function safeCause(err: unknown): { name: string; code?: string; message: string } | undefined {
  if (err === undefined || err === null) return undefined;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, ...(typeof code === 'string' ? { code } : {}), message: redactSecrets(err.message) };
  }
  return { name: typeof err, message: 'non-error value' };
}

/** Narrows `err` to an {@link IdentityAuthError}, optionally of one kind. */
export function isIdentityAuthError(err: unknown, kind?: IdentityAuthErrorKind): err is IdentityAuthError {
  return err instanceof IdentityAuthError && (kind === undefined || err.kind === kind);
}

/**
 * Replaces anything that looks like a token (long base64url runs, JWTs) so that
 * a server that echoes a credential back cannot leak it into a log.
 */
export function redactSecrets(text: string): string {
  return String(text).replace(/[A-Za-z0-9_\-+/=.~]{24,}/g, '[redacted]');
}

/**
 * Parses `Retry-After` (delay-seconds or an HTTP date) into milliseconds from `now`.
 * @see RFC 9110 §10.2.3
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

const CONFIGURATION_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_scope',
  'unsupported_grant_type',
  'invalid_request',
]);

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, 500) : undefined;
}

/** The first `{code, message}` of a B2Trader `errors` array, if the body has one. */
export function readB2TraderErrors(body: unknown): { code?: string; message?: string } | undefined {
  if (!isRecord(body) || !Array.isArray(body['errors']) || body['errors'].length === 0) return undefined;
  const first = body['errors'][0];
  return isRecord(first) ? { code: str(first['code']), message: str(first['message']) } : {};
}

/**
 * Maps a failed HTTP answer of any identity endpoint to an {@link IdentityAuthError}.
 * Pure: takes the status, the headers it needs and the body text. Never throws.
 *
 * - 429 → `rate_limited` (with `retryAfterMs`), 5xx → `server`
 * - OAuth error bodies (RFC 6749 §5.2): `invalid_grant` → `invalid_grant`;
 *   `invalid_client`, `unauthorized_client`, `invalid_scope`, … → `invalid_client`
 * - the RFC 7807 401 document of a refused code → `invalid_grant` with its `traceId`
 * - B2Trader `errors` arrays on sign-in → `invalid_credentials`
 */
export function errorFromHttpAnswer(
  step: IdentityAuthStep,
  status: number,
  headers: { get(name: string): string | null },
  bodyText: string,
  now: number = Date.now(),
): IdentityAuthError {
  const body = safeJson(bodyText);
  const where = `${step} failed`;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now);
    return new IdentityAuthError(
      'rate_limited',
      `${where}: the identity service is rate limiting (429)${retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`}.`,
      { step, status, retryAfterMs },
    );
  }
  if (status >= 500) {
    return new IdentityAuthError('server', `${where}: the identity service answered ${status}. Try again later.`, {
      step,
      status,
    });
  }
  if (isRecord(body) && typeof body['error'] === 'string') {
    const code = body['error'].slice(0, 100);
    const description = str(body['error_description']);
    const detail = `${code}${description ? ` (${description})` : ''}`;
    if (code === 'invalid_grant') {
      return new IdentityAuthError('invalid_grant', `${where}: ${detail}. Sign in again.`, {
        step,
        status,
        code,
        description,
      });
    }
    if (code === 'access_denied') {
      return new IdentityAuthError('access_denied', `${where}: ${detail}.`, { step, status, code, description });
    }
    if (code === 'login_required') {
      return new IdentityAuthError('login_required', `${where}: ${detail}. Sign in again.`, {
        step,
        status,
        code,
        description,
      });
    }
    if (CONFIGURATION_ERRORS.has(code)) {
      return new IdentityAuthError(
        'invalid_client',
        `${where}: ${detail}. Check the client id, secret and scope in the configuration.`,
        { step, status, code, description },
      );
    }
    return new IdentityAuthError('invalid_response', `${where}: unexpected error ${detail} (HTTP ${status}).`, {
      step,
      status,
      code,
      description,
    });
  }
  const b2traderError = readB2TraderErrors(body);
  if (b2traderError) {
    const detail = `${b2traderError.code ?? 'error'}${b2traderError.message ? ` (${b2traderError.message})` : ''}`;
    return new IdentityAuthError(
      step === 'sign-in' ? 'invalid_credentials' : 'invalid_response',
      `${where}: ${detail}.`,
      {
        step,
        status,
        code: b2traderError.code,
        description: b2traderError.message,
      },
    );
  }
  if (status === 401 && isRecord(body) && (body['status'] === 401 || typeof body['title'] === 'string')) {
    // RFC 7807 problem document: B2Trader's answer to a wrong or used code.
    const traceId = str(body['traceId']);
    // refused code or token → invalid_grant; anywhere else it is the client that was refused
    const kind = step === 'token' || step === 'refresh' || step === 'sign-out' ? 'invalid_grant' : 'invalid_client';
    return new IdentityAuthError(
      kind,
      `${where}: ${str(body['title']) ?? 'Unauthorized'} (401)${traceId ? '; see traceId' : ''}.`,
      {
        step,
        status,
        code: 'Unauthorized',
        description: str(body['title']),
        traceId,
      },
    );
  }
  if (status === 401) {
    return new IdentityAuthError(
      step === 'sign-in' ? 'invalid_credentials' : step === 'sign-out' ? 'invalid_grant' : 'invalid_client',
      `${where}: 401 Unauthorized.`,
      { step, status },
    );
  }
  if (step === 'sign-in' && status === 400) {
    return new IdentityAuthError('invalid_credentials', `${where}: the sign-in was refused (${status}).`, {
      step,
      status,
    });
  }
  if (status === 403) {
    // a gateway, firewall or anti-forgery check, not a wrong password
    return new IdentityAuthError(
      'invalid_client',
      `${where}: the identity service refused the request (403). Check the origin and configuration.`,
      { step, status },
    );
  }
  // 3xx (a redirect where none belongs), an opaque status 0, or another 4xx: not retryable.
  return new IdentityAuthError('invalid_response', `${where}: unexpected HTTP ${status}.`, { step, status });
}
