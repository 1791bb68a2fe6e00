/**
 * The tokens of one session and what the engine knows about them: the unit that
 * token stores keep and tabs exchange. Internal to the engine and the stores; the
 * public session view ({@link IdentitySession}) is derived from it without tokens.
 */
import type { TokenSet } from 'b2trader.identity.auth/core';

import type { IdentitySession } from './session-access';

/** One generation of a session's tokens. */
export interface IdentityTokenRecord {
  /** Grows by one with every new set of tokens; tabs keep the highest (ties: the later `receivedAt`). */
  readonly generation: number;
  /** One signed-in session across its refreshes: a sign-out or an expiry ends every record of it, however late one arrives. */
  readonly sessionId: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** Local time (ms) the token answer arrived. */
  readonly receivedAt: number;
  /** Local time (ms) the access token expires. */
  readonly expiresAt: number;
  readonly subject: string;
  readonly account: IdentitySession['account'];
  readonly clientId: string;
  readonly scope: readonly string[];
}

/** A new session's id: its start time (base 36), then randomness. */
export function newSessionId(now: number, random: () => number): string {
  const part = () => Math.floor(random() * 2 ** 32).toString(36);
  return `${now.toString(36)}-${part()}${part()}`;
}

/** When the session began (local time), read from its id; NaN for an id of another shape. */
export function sessionStartedAt(sessionId: string): number {
  const head = sessionId.split('-', 1)[0];
  return /^[0-9a-z]+$/.test(head) ? parseInt(head, 36) : Number.NaN;
}

/**
 * Whether `candidate` should replace `current`: of two sessions, the one begun later (a
 * login replaces what was there, however many refreshes that had); within one session,
 * the higher generation (ties: the later arrival).
 */
export function isNewerRecord(candidate: IdentityTokenRecord, current: IdentityTokenRecord | null): boolean {
  if (!current) return true;
  if (candidate.sessionId !== current.sessionId) {
    const began = sessionStartedAt(candidate.sessionId);
    const before = sessionStartedAt(current.sessionId);
    if (began !== before && !Number.isNaN(began) && !Number.isNaN(before)) return began > before;
  }
  if (candidate.generation !== current.generation) return candidate.generation > current.generation;
  return candidate.receivedAt > current.receivedAt;
}

/** What a record adds to a token answer. */
export interface RecordContext {
  readonly generation: number;
  readonly sessionId: string;
  readonly clientId: string;
  /** The scope asked for: used when the answer names none. */
  readonly requestedScope: string;
  /** The account sign-in returned; without it only the subject is known (a silent restore). */
  readonly account?: IdentitySession['account'];
  /** The session's subject, for a refresh answer without an id_token. */
  readonly subject?: string;
  /** Re-times the answer on the engine's clock, so that every schedule reads one clock. */
  readonly receivedAt?: number;
}

/** A record from a token answer. */
export function recordFromTokens(tokens: TokenSet, context: RecordContext): IdentityTokenRecord {
  const { account, clientId, generation, sessionId, requestedScope } = context;
  const subject = tokens.idTokenClaims?.sub ?? context.subject ?? account?.id ?? '';
  const receivedAt = context.receivedAt ?? tokens.receivedAt;
  return {
    generation,
    sessionId,
    accessToken: tokens.accessToken,
    ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
    receivedAt,
    expiresAt: receivedAt + (tokens.expiresAt - tokens.receivedAt),
    subject,
    account: account ?? { id: subject },
    clientId,
    scope: (tokens.scope ?? requestedScope).split(' ').filter(Boolean),
  };
}

/** The public view: everything but the tokens. */
export function sessionFromRecord(record: IdentityTokenRecord): IdentitySession {
  return {
    account: record.account,
    subject: record.subject,
    clientId: record.clientId,
    scope: record.scope,
    expiresAt: record.expiresAt,
  };
}

/** Reads a record back from JSON (storage, another tab); anything malformed is null, never a crash. */
export function parseRecord(value: unknown): IdentityTokenRecord | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Record<string, unknown>;
  const account = r['account'] as Record<string, unknown> | undefined;
  const ok =
    typeof r['generation'] === 'number' &&
    typeof r['sessionId'] === 'string' &&
    typeof r['accessToken'] === 'string' &&
    r['accessToken'] !== '' &&
    (r['refreshToken'] === undefined || typeof r['refreshToken'] === 'string') &&
    typeof r['receivedAt'] === 'number' &&
    typeof r['expiresAt'] === 'number' &&
    typeof r['subject'] === 'string' &&
    typeof r['clientId'] === 'string' &&
    Array.isArray(r['scope']) &&
    !!account &&
    typeof account['id'] === 'string';
  return ok ? (value as IdentityTokenRecord) : null;
}
