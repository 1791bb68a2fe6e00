/**
 * The one error type of b2trader.identity.auth, and the mapping of every error
 * shape B2Trader's identity service answers with.
 *
 * @see docs/protocol.md §1 (sign-in errors), §3 (RFC 7807 401); RFC 6749 §4.1.2.1 and §5.2 (OAuth errors)
 */
import { LIBRARY_ERROR_CODES } from './error-codes';
import { isRecord, parseJsonOrUndefined } from './json';

/**
 * `false` in production builds, which then drop the message texts behind it; undefined in Node.
 * What only a message uses is written inside its branch: the minifier drops a dead branch, not
 * an unused local.
 */
declare const ngDevMode: unknown;

/**
 * What went wrong, as a stable string an app can switch on.
 *
 * - `invalid_credentials`: sign-in refused (wrong email or password, or second factor).
 * - `login_required`: authorize found no valid identity session (ended at `/identity/unauthorized`).
 * - `access_denied`: the server answered the authorize request with `error=access_denied`.
 * - `invalid_grant`: a code or token was refused (used, revoked, expired, unknown), or the
 *   password grant's credentials were.
 * - `invalid_client`: the client is misconfigured or not allowed to do this (wrong secret,
 *   unknown client, grant type or scope not allowed). Retrying will not help.
 * - `state_mismatch`: the authorize answer's `state` is missing, different or repeated.
 * - `invalid_response`: the server's answer is malformed or fails validation (id_token claims,
 *   issuer, redirect target, token shape). Nothing from it was kept.
 * - `rate_limited`: HTTP 429; `retryAfterMs` says how long to wait.
 * - `server`: HTTP 5xx, or the OAuth errors `server_error` and `temporarily_unavailable`.
 * - `network`: the request never got an answer (offline, refused, reset, DNS, CORS).
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
export type IdentityAuthStep = 'sign-in' | 'authorize' | 'token' | 'refresh' | 'password-grant' | 'sign-out';

/** Details an {@link IdentityAuthError} carries beside its kind. */
export interface IdentityAuthErrorDetails {
  /** The step that failed. */
  step?: IdentityAuthStep;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /**
   * The server's own error code (`SignInUnsuccessful`, `invalid_grant`, …) or, where
   * the server gave none, one of {@link LIBRARY_ERROR_CODES}.
   */
  code?: string;
  /** The server's description or message, secrets redacted. */
  description?: string;
  /** The server's trace id (RFC 7807 `traceId`), for support requests. */
  traceId?: string;
  /** For `rate_limited`: how long the server asked to wait, in milliseconds. */
  retryAfterMs?: number;
  /** The underlying error, when one was caught. Only its name, code and redacted message are kept. */
  cause?: unknown;
  /** Values to redact from the message, the description and the cause (not kept). */
  secrets?: readonly (string | undefined)[];
}

const TRANSIENT_KINDS: ReadonlySet<IdentityAuthErrorKind> = new Set(['network', 'timeout', 'server', 'rate_limited']);

/** Whether an error of this kind may go away by itself (network, timeout, 5xx, 429). */
export function isTransientKind(kind: IdentityAuthErrorKind): boolean {
  return TRANSIENT_KINDS.has(kind);
}

const PREFIX = 'b2trader.identity.auth: ';

/**
 * The `TypeError` for a wrong argument or option: `why` (after the library's name) where
 * messages are kept, only the option's name in production builds. Call sites pass
 * `typeof ngDevMode === 'undefined' || ngDevMode ? '…' : ''`, so that those builds drop the text.
 */
export function optionError(option: string, why: string): TypeError {
  return new TypeError(`${PREFIX}${why || `"${option}"`}`);
}

/** What of an underlying error is kept: never the error itself (oauth4webapi's errors hold whole answers). */
class ErrorSummary {
  constructor(
    readonly name: string,
    readonly message: string,
    readonly code?: string,
  ) {}
}

function codeOf(err: unknown): string | undefined {
  const code = isRecord(err) || err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function summarise(err: unknown, secrets: readonly (string | undefined)[]): ErrorSummary | undefined {
  if (err === undefined || err === null) return undefined;
  if (err instanceof ErrorSummary) return new ErrorSummary(err.name, redactSecrets(err.message, secrets), err.code);
  if (err instanceof Error) {
    // fetch's "fetch failed" keeps the system error (ECONNREFUSED, …) one level down
    const code = codeOf(err) ?? codeOf(err.cause);
    return new ErrorSummary(err.name, redactSecrets(err.message, secrets), code);
  }
  return new ErrorSummary(typeof err, 'non-error value');
}

/** The message of a production build, where the long texts are left out: `kind (step, status, code)`. */
function shortMessage(kind: IdentityAuthErrorKind, { step, status, code }: IdentityAuthErrorDetails): string {
  const parts = [step, status, code].filter((part) => part !== undefined);
  return parts.length ? `${kind} (${parts.join(', ')})` : kind;
}

/**
 * Every failure of the protocol client. `kind` is stable; the message says what
 * happened and what to do, and never contains a password, secret, code or token.
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
  // `declare`: the constructor sets every one of them, in this order; a field declaration
  // would only repeat their names in the bundle
  declare readonly kind: IdentityAuthErrorKind;
  declare readonly step?: IdentityAuthStep;
  declare readonly status?: number;
  /** The server's error code, or one of {@link LIBRARY_ERROR_CODES} where the server gave none. */
  declare readonly code?: string;
  declare readonly description?: string;
  declare readonly traceId?: string;
  declare readonly retryAfterMs?: number;
  /** True for network, timeout, 5xx and 429: the same call may succeed later. */
  declare readonly transient: boolean;

  // a production build passes '' as the message and gets kind, step, status and code instead
  constructor(kind: IdentityAuthErrorKind, message: string, details: IdentityAuthErrorDetails = {}) {
    const secrets = details.secrets ?? [];
    const cause = summarise(details.cause, secrets);
    const text = !message
      ? shortMessage(kind, details)
      : message.startsWith(PREFIX)
        ? message.slice(PREFIX.length)
        : message;
    super(`${PREFIX}${redactSecrets(text, secrets)}`, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.step = details.step;
    this.status = details.status;
    this.code = details.code;
    this.description = details.description === undefined ? undefined : redactSecrets(details.description, secrets);
    this.traceId = details.traceId;
    this.retryAfterMs = details.retryAfterMs;
    this.transient = isTransientKind(kind);
  }
}

/** Narrows `err` to an {@link IdentityAuthError}, optionally of one kind. */
export function isIdentityAuthError(err: unknown, kind?: IdentityAuthErrorKind): err is IdentityAuthError {
  return err instanceof IdentityAuthError && (kind === undefined || err.kind === kind);
}

const JWT_SHAPED = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;
/** Shorter values are not searched for: replacing them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces JWT-shaped strings, and each of `secrets` (as given, URI-encoded and
 * form-encoded), with `[redacted]`: a server that echoes a credential back cannot
 * leak it into a log. Everything else is left as written.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let result = String(text).replace(JWT_SHAPED, '[redacted]');
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    variants.add(secret).add(encodeURIComponent(secret)).add(encodeURIComponent(secret).replace(/%20/g, '+'));
  }
  // longest first, so that a secret containing another is replaced whole
  for (const variant of [...variants].sort((a, b) => b.length - a.length)) {
    result = result.replace(new RegExp(escapeRegExp(variant), 'g'), '[redacted]');
  }
  return result;
}

/** The same error with `secrets` redacted from it too; `err` itself when none of them occurs. */
export function redactError(err: IdentityAuthError, secrets: readonly (string | undefined)[]): IdentityAuthError {
  const cause = err.cause instanceof ErrorSummary ? err.cause.message : '';
  const texts = [err.message, err.description ?? '', cause];
  if (texts.every((text) => redactSecrets(text, secrets) === text)) return err;
  const { kind, step, status, code, description, traceId, retryAfterMs } = err;
  return new IdentityAuthError(kind, err.message, {
    ...{ step, status, code, description, traceId, retryAfterMs },
    cause: err.cause,
    secrets,
  });
}

/**
 * Parses `Retry-After` (delay-seconds or an HTTP date) into milliseconds. A date is
 * measured from `now`: pass the answer's own `Date` when it has one, so that a
 * client whose clock is off still waits as long as the server asked.
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

/**
 * The OAuth error codes of each kind, for the authorize redirect and the token endpoint
 * alike, space-separated. Codes not listed are `invalid_response`.
 * @see RFC 6749 §4.1.2.1 and §5.2; RFC 6750 §3.1; OpenID Connect Core §3.1.2.6
 */
const OAUTH_ERRORS_BY_KIND: readonly (readonly [IdentityAuthErrorKind, string])[] = [
  ['invalid_grant', 'invalid_grant invalid_token'],
  ['access_denied', 'access_denied'],
  ['login_required', 'login_required interaction_required consent_required account_selection_required'],
  [
    'invalid_client',
    'invalid_client unauthorized_client invalid_scope invalid_request unsupported_grant_type unsupported_response_type',
  ],
  ['server', 'server_error temporarily_unavailable'],
];

/**
 * The kind of an OAuth error code (`invalid_grant`, `temporarily_unavailable`, …): one
 * table for the authorize redirect and the token endpoint.
 *
 * @example
 * ```ts
 * kindForOAuthError('temporarily_unavailable'); // 'server': transient, retry later
 * ```
 */
export function kindForOAuthError(code: string): IdentityAuthErrorKind {
  return OAUTH_ERRORS_BY_KIND.find(([, codes]) => codes.split(' ').includes(code))?.[0] ?? 'invalid_response';
}

/** What to do about an error of `kind` in `step`, as the end of a message ('' when nothing useful can be said). */
export function adviceFor(kind: IdentityAuthErrorKind, step?: IdentityAuthStep): string {
  if (!(typeof ngDevMode === 'undefined' || ngDevMode)) return '';
  switch (kind) {
    case 'invalid_grant':
      if (step === 'token') return ' The code was already used or has expired: start the login again.';
      if (step === 'password-grant') return " Check the service account's email and password.";
      if (step === 'sign-out') return ' The token is already revoked or expired: forget it locally.';
      return ' The session is over: sign in again.';
    case 'login_required':
      return ' Sign in first.';
    case 'invalid_client':
      return ' Check the client id, secret and scope in the configuration.';
    case 'server':
      return ' Try again later.';
    default:
      return '';
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
 * The error for a B2Trader `errors` body (docs/protocol.md §1), or `undefined` when
 * the body has none: `invalid_credentials` on sign-in, `invalid_response` elsewhere.
 */
export function errorFromB2TraderBody(
  step: IdentityAuthStep,
  status: number,
  body: unknown,
): IdentityAuthError | undefined {
  const found = readB2TraderErrors(body);
  if (!found) return undefined;
  return new IdentityAuthError(
    step === 'sign-in' ? 'invalid_credentials' : 'invalid_response',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? `${step} failed: ${found.code ?? 'error'}${found.message ? ` (${found.message})` : ''}.`
      : '',
    { step, status, code: found.code, description: found.message },
  );
}

/**
 * Whether a 5xx is a development server's proxy saying that its target did not answer:
 * Angular's dev server (Vite) answers an empty `text/plain` 500, webpack's dev server
 * (http-proxy-middleware) says so in the body. Such an answer is a setup hint, not an outage.
 */
function isDevProxyFailure(status: number, headers: { get(name: string): string | null }, bodyText: string): boolean {
  if (/error occurr?ed while trying to proxy/i.test(bodyText)) return true;
  const type = headers.get('content-type') ?? '';
  return status === 500 && bodyText.trim() === '' && (type === '' || /^text\/plain\b/i.test(type));
}

/**
 * The end of a message for an issuer mismatch found by oauth4webapi (the authorize
 * answer's `iss`, or the id_token's): which names differ and how to make them agree.
 * '' for any other error.
 */
export function issuerMismatchAdvice(err: unknown): string {
  if (!(typeof ngDevMode === 'undefined' || ngDevMode)) return '';
  const cause = err instanceof Error && isRecord(err.cause) ? err.cause : undefined;
  if (!cause || typeof cause['expected'] !== 'string' || !/"iss"/.test((err as Error).message)) return '';
  const parameters = cause['parameters'];
  const claims = cause['claims'];
  const named =
    parameters instanceof URLSearchParams ? parameters.get('iss') : isRecord(claims) ? str(claims['iss']) : undefined;
  if (!named) return '';
  return (
    `: the identity service names itself ${named.slice(0, 200)}; this app expects ${cause['expected']}. ` +
    "The issuer must be on the origin the browser sees: serve the identity service through a proxy on the app's " +
    "origin, or set the emulator's public URL (--public-url) to that origin; " +
    'for a service that names itself by its own address, set "issuer"'
  );
}

/** The kind of a 401 without an OAuth error code: what the step presented was refused. */
function kindFor401(step: IdentityAuthStep): IdentityAuthErrorKind {
  if (step === 'sign-in') return 'invalid_credentials';
  if (step === 'token' || step === 'refresh' || step === 'sign-out') return 'invalid_grant';
  return 'invalid_client';
}

/**
 * Maps a failed HTTP answer of any identity endpoint to an {@link IdentityAuthError}.
 * Pure: takes the status, the headers it needs and the body text. Never throws.
 *
 * - 429 → `rate_limited`, with `retryAfterMs` measured from the answer's `Date` when it has one
 * - 5xx → `server`
 * - OAuth error bodies: one table for every step ({@link kindForOAuthError})
 * - B2Trader `errors` arrays → `invalid_credentials` on sign-in
 * - 401 without an OAuth code, with or without B2Trader's RFC 7807 document: by step —
 *   `invalid_credentials` on sign-in, `invalid_grant` on token, refresh and sign-out,
 *   `invalid_client` elsewhere
 * - 404 → `invalid_response` with code `endpoint_not_found` (the base URL is wrong)
 */
export function errorFromHttpAnswer(
  step: IdentityAuthStep,
  status: number,
  headers: { get(name: string): string | null },
  bodyText: string,
  now: number = Date.now(),
): IdentityAuthError {
  const body = parseJsonOrUndefined(bodyText);
  // Retry-After dates are read against the answer's own Date: a client clock that is off cannot shorten the wait.
  const serverNow = Date.parse(headers.get('date') ?? '');
  const retryAfterMs =
    status === 429 || status >= 500
      ? parseRetryAfter(headers.get('retry-after'), Number.isNaN(serverNow) ? now : serverNow)
      : undefined;
  if (status === 429) {
    const message =
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `${step} failed: the identity service is rate limiting (429)${retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`}.`
        : '';
    return new IdentityAuthError('rate_limited', message, { step, status, retryAfterMs });
  }
  if (status >= 500) {
    const said = !(typeof ngDevMode === 'undefined' || ngDevMode)
      ? ''
      : isDevProxyFailure(status, headers, bodyText)
        ? `${step} failed: is the identity service running? (a development proxy answered ${status} for an unreachable target)`
        : `${step} failed: the identity service answered ${status}.${adviceFor('server')}`;
    // 503 may say when to come back (RFC 9110 §10.2.3); the retry waits at least that long.
    return new IdentityAuthError('server', said, {
      step,
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (isRecord(body) && typeof body['error'] === 'string') {
    const code = body['error'].slice(0, 100);
    const description = str(body['error_description']);
    const kind = kindForOAuthError(code);
    return new IdentityAuthError(
      kind,
      !(typeof ngDevMode === 'undefined' || ngDevMode)
        ? ''
        : kind === 'invalid_response'
          ? `${step} failed: unexpected error ${code}${description ? ` (${description})` : ''} (HTTP ${status}).`
          : `${step} failed: ${code}${description ? ` (${description})` : ''}.${adviceFor(kind, step)}`,
      { step, status, code, description },
    );
  }
  // A 401 from the token or sign-out endpoint means the same whatever its body says.
  const b2traderError = status === 401 && step !== 'sign-in' ? undefined : errorFromB2TraderBody(step, status, body);
  if (b2traderError) return b2traderError;
  if (status === 401) {
    const problem = isRecord(body) && (body['status'] === 401 || typeof body['title'] === 'string') ? body : undefined;
    const traceId = str(problem?.['traceId']);
    const title = str(problem?.['title']);
    const kind = kindFor401(step);
    return new IdentityAuthError(
      kind,
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `${step} failed: ${title ?? 'Unauthorized'} (401)${traceId ? '; see traceId' : ''}.${adviceFor(kind, step)}`
        : '',
      {
        step,
        status,
        ...(problem ? { code: LIBRARY_ERROR_CODES.unauthorizedProblem, description: title, traceId } : {}),
      },
    );
  }
  if (step === 'sign-in' && status === 400) {
    return new IdentityAuthError(
      'invalid_credentials',
      typeof ngDevMode === 'undefined' || ngDevMode ? `${step} failed: the sign-in was refused (${status}).` : '',
      {
        step,
        status,
      },
    );
  }
  if (status === 403) {
    // a gateway, firewall or anti-forgery check, not a wrong password
    return new IdentityAuthError(
      'invalid_client',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `${step} failed: the identity service refused the request (403). Check the origin and configuration.`
        : '',
      { step, status },
    );
  }
  if (status === 404) {
    return new IdentityAuthError(
      'invalid_response',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `${step} failed: the identity service answered 404. Check that "url" is B2Trader's base URL, without /identity.`
        : '',
      { step, status, code: LIBRARY_ERROR_CODES.endpointNotFound },
    );
  }
  // 3xx (a redirect where none belongs), an opaque status 0, or another 4xx: not retryable.
  return new IdentityAuthError(
    'invalid_response',
    typeof ngDevMode === 'undefined' || ngDevMode ? `${step} failed: unexpected HTTP ${status}.` : '',
    {
      step,
      status,
    },
  );
}
