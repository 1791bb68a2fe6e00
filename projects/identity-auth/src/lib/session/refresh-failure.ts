/**
 * What a failed refresh means for the session: a pure decision over the error.
 */
import { isIdentityAuthError, LIBRARY_ERROR_CODES } from 'b2trader.identity.auth/core';

/**
 * - `retry`: transient (network, timeout, 5xx, 429): keep the session, back off, try again.
 * - `reauthorize`: the refresh token is spent or revoked (`invalid_grant`), or the answer was
 *   unusable (`invalid_response`, maybe after the server rotated): try one silent authorize
 *   with the identity-session cookie before giving up.
 * - `end`: the session cannot continue: an id_token for another subject (`subject_mismatch`),
 *   a refused client, anything that is not an `IdentityAuthError`.
 */
export type RefreshFailureAction = 'retry' | 'reauthorize' | 'end';

export function refreshFailureAction(error: unknown): RefreshFailureAction {
  if (!isIdentityAuthError(error)) return 'end';
  if (error.transient) return 'retry';
  if (error.code === LIBRARY_ERROR_CODES.subjectMismatch) return 'end';
  // A spent grant, or an answer too broken to keep (it may have rotated the token): the cookie may heal it.
  if (error.kind === 'invalid_grant' || error.kind === 'invalid_response') return 'reauthorize';
  return 'end';
}

/** After the silent re-authorize failed too: only a transient failure keeps the session. */
export function reauthorizeFailureAction(error: unknown): Exclude<RefreshFailureAction, 'reauthorize'> {
  return isIdentityAuthError(error) && error.transient ? 'retry' : 'end';
}
