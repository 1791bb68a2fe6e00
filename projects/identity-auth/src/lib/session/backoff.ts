/**
 * How long to wait before retrying a refresh that failed transiently: capped
 * exponential backoff with jitter, never shorter than the server's Retry-After.
 */

/** Backoff settings. */
export interface BackoffPolicy {
  /** First delay, in ms. Default 1 000. */
  readonly baseMs: number;
  /** Upper bound, in ms. Default 30 000. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 1_000, capMs: 30_000 });

/**
 * The delay before retry number `attempt` (0 for the first retry): `baseMs · 2^attempt`
 * capped at `capMs`, scaled by a jitter in [0.5, 1) from `random` (so that tabs of
 * many users do not retry in step), and raised to `retryAfterMs` when the server
 * asked for more.
 */
export function backoffDelay(
  attempt: number,
  random: number,
  retryAfterMs?: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const step = Math.max(0, Math.floor(Number.isFinite(attempt) ? attempt : 0));
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(step, 30));
  const jitter = 0.5 + Math.min(Math.max(Number.isFinite(random) ? random : 0, 0), 1) / 2;
  const delay = Math.round(exponential * jitter);
  return retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > delay
    ? Math.ceil(retryAfterMs)
    : delay;
}
