/**
 * TokenSet: what a successful token answer leaves behind, with its expiry as a
 * point in local time.
 *
 * @see docs/protocol.md §3, §4, §6; RFC 6749 §5.1
 */
import { LIBRARY_ERROR_CODES } from './error-codes';
import { IdentityAuthError, type IdentityAuthStep } from './errors';
import { isRecord, parseJsonOrUndefined } from './json';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/** Claims of a validated id_token (the ones this library reads, plus the rest). */
export interface IdTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly nonce?: string;
  readonly azp?: string;
  readonly [claim: string]: unknown;
}

/** Tokens from one answer of the token endpoint. */
export interface TokenSet {
  /** The bearer token for FrontOffice/BackOffice APIs. Never empty. */
  readonly accessToken: string;
  /** Always `Bearer` (other types are refused). */
  readonly tokenType: 'Bearer';
  /** Local time (ms since epoch) at which the access token expires: arrival time + `expires_in`. */
  readonly expiresAt: number;
  /** The lifetime used for `expiresAt`, in seconds (after defaulting and capping). */
  readonly expiresIn: number;
  /** The refresh token to use next; the previous one when a refresh answer did not rotate it. */
  readonly refreshToken?: string;
  /** The raw id_token, when the answer had one. */
  readonly idToken?: string;
  /** Validated id_token claims, when the answer had an id_token. */
  readonly idTokenClaims?: IdTokenClaims;
  /** The granted scope, space-separated, as the server sent it. */
  readonly scope?: string;
  /** Local time (ms since epoch) at which the answer arrived. */
  readonly receivedAt: number;
}

/** When `expires_in` is missing: assume B2Trader's shortest lifetime. */
export const DEFAULT_LIFETIME_SEC = 30;
/** `expires_in` above this is capped: a day is already generous for an access token. */
export const MAX_LIFETIME_SEC = 24 * 3600;

/** Options for {@link tokenSetFromResponse}. */
export interface TokenSetOptions {
  /** The step, for error messages. */
  step?: IdentityAuthStep;
  /** Refresh only: kept when the answer has no `refresh_token`. */
  previousRefreshToken?: string;
  /** Validated id_token claims to attach. */
  idTokenClaims?: IdTokenClaims;
  /** Lifetime assumed when `expires_in` is missing (seconds). */
  defaultLifetimeSec?: number;
  /** Cap on `expires_in` (seconds). */
  maxLifetimeSec?: number;
}

/** What can be wrong with a token answer: a field's name, or the answer as a whole. */
type AnswerFault =
  'json' | 'object' | 'access_token' | 'token_type' | 'expires_in' | 'refresh_token' | 'id_token' | 'scope';

/** The fault in words, for development messages only (production builds drop it with them). */
function describeFault(fault: AnswerFault): string {
  switch (fault) {
    case 'json':
      return 'is not valid JSON';
    case 'object':
      return 'is not a JSON object';
    case 'access_token':
      return 'has no access_token';
    case 'token_type':
      return 'is not a Bearer token';
    case 'expires_in':
      return 'has an invalid "expires_in"';
    default:
      return `has an invalid ${fault}`;
  }
}

function invalid(step: IdentityAuthStep, fault: AnswerFault): IdentityAuthError {
  return new IdentityAuthError(
    'invalid_response',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? `${step} failed: the token answer ${describeFault(fault)}; nothing was kept.`
      : '',
    { step, code: LIBRARY_ERROR_CODES.invalidTokenResponse },
  );
}

function parseLifetime(value: unknown, step: IdentityAuthStep): number | undefined {
  if (value === undefined) return undefined;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n) || n < 0) throw invalid(step, 'expires_in');
  return n;
}

/**
 * Turns a parsed token-endpoint body into a {@link TokenSet}, or throws an
 * `invalid_response` {@link IdentityAuthError}. Pure and total: any input either
 * yields a TokenSet with a non-empty access token and a finite `expiresAt` after
 * `receivedAt`, or throws that error.
 *
 * - `access_token` must be a non-empty string; `token_type` must be `Bearer` (any case).
 * - `expires_in` missing → {@link DEFAULT_LIFETIME_SEC}; negative or not a number → refused;
 *   above {@link MAX_LIFETIME_SEC} → capped. 0 counts as 1 s, so the token is due at once.
 * - `refresh_token` missing → `previousRefreshToken`; present but not a non-empty string → refused.
 */
export function tokenSetFromResponse(body: unknown, receivedAt: number, options: TokenSetOptions = {}): TokenSet {
  const step = options.step ?? 'token';
  if (!isRecord(body)) throw invalid(step, 'object');
  const json = body;
  if (typeof json['access_token'] !== 'string' || json['access_token'] === '') throw invalid(step, 'access_token');
  if (typeof json['token_type'] !== 'string' || json['token_type'].toLowerCase() !== 'bearer')
    throw invalid(step, 'token_type');
  if (!Number.isFinite(receivedAt))
    throw new TypeError(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? '"receivedAt" must be a finite number of milliseconds'
        : 'b2trader.identity.auth: "receivedAt"',
    );

  const maxLifetime = options.maxLifetimeSec ?? MAX_LIFETIME_SEC;
  const given = parseLifetime(json['expires_in'], step);
  const expiresIn = Math.max(1, Math.min(given ?? options.defaultLifetimeSec ?? DEFAULT_LIFETIME_SEC, maxLifetime));

  let refreshToken: string | undefined = options.previousRefreshToken;
  if (json['refresh_token'] !== undefined) {
    if (typeof json['refresh_token'] !== 'string' || json['refresh_token'] === '') throw invalid(step, 'refresh_token');
    refreshToken = json['refresh_token'];
  }
  if (json['id_token'] !== undefined && typeof json['id_token'] !== 'string') throw invalid(step, 'id_token');
  if (json['scope'] !== undefined && typeof json['scope'] !== 'string') throw invalid(step, 'scope');

  return {
    accessToken: json['access_token'],
    tokenType: 'Bearer',
    expiresAt: receivedAt + expiresIn * 1000,
    expiresIn,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(json['id_token'] === undefined ? {} : { idToken: json['id_token'] as string }),
    ...(options.idTokenClaims === undefined ? {} : { idTokenClaims: options.idTokenClaims }),
    ...(json['scope'] === undefined ? {} : { scope: json['scope'] as string }),
    receivedAt,
  };
}

/**
 * Parses the text of a token answer (as received) into a {@link TokenSet}.
 * Truncated or non-JSON text is an `invalid_response`, never a crash.
 */
export function parseTokenResponse(text: string, receivedAt: number, options: TokenSetOptions = {}): TokenSet {
  const body = parseJsonOrUndefined(text);
  if (body === undefined) throw invalid(options.step ?? 'token', 'json');
  return tokenSetFromResponse(body, receivedAt, options);
}
