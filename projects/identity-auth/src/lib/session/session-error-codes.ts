/**
 * The error codes the session engine sets itself, beside `/core`'s
 * `LIBRARY_ERROR_CODES`. They appear in `IdentityAuthError.code` of what
 * `getAccessToken()`, the interceptor's waiting requests and `refreshFailed` events carry.
 *
 * @example
 * ```ts
 * if (isIdentityAuthError(err) && err.code === SESSION_ERROR_CODES.leaderTimeout) showReconnecting();
 * ```
 */
export const SESSION_ERROR_CODES = Object.freeze({
  /** A token was asked for after the session ended (kind `login_required`). */
  signedOut: 'signed_out',
  /** The refresh this tab waited for failed in the leader tab (kind `server` when it is retried, else `login_required`). */
  leaderRefreshFailed: 'leader_refresh_failed',
  /** The leader tab did not answer within two `timeoutMs` (kind `timeout`); this tab takes the lead over. */
  leaderTimeout: 'leader_timeout',
  /**
   * A refresh was asked for while the last one's backoff (or the server's Retry-After)
   * still runs (transient; `retryAfterMs` says how long is left). Nothing was sent.
   */
  refreshBackoff: 'refresh_backoff',
});

/** One of {@link SESSION_ERROR_CODES}. */
export type SessionErrorCode = (typeof SESSION_ERROR_CODES)[keyof typeof SESSION_ERROR_CODES];
