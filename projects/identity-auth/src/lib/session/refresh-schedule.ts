/**
 * When the next proactive refresh is due: a pure decision over the token's
 * lifetime as measured from its arrival (never the JWT's `exp`, which another
 * machine's clock wrote).
 */

/** Refresh timing. */
export interface RefreshTiming {
  /** Share of the lifetime after which a refresh is due. Default 0.75. */
  readonly ratio: number;
  /** Refresh at least this long before expiry, in ms. Default 8 000, so 30-second tokens refresh at 22 s. */
  readonly minLeadMs: number;
  /** Never schedule sooner than this after arrival, in ms, whatever the lifetime: no refresh loop. Default 1 000. */
  readonly minDelayMs: number;
}

export const DEFAULT_REFRESH_TIMING: RefreshTiming = Object.freeze({
  ratio: 0.75,
  minLeadMs: 8_000,
  minDelayMs: 1_000,
});

/**
 * Milliseconds after arrival at which a token living `lifetimeMs` is refreshed:
 * `ratio` of the lifetime, pulled earlier to keep `minLeadMs` before expiry, but
 * never before half the lifetime nor before `minDelayMs`.
 */
export function refreshDelayAfterArrival(lifetimeMs: number, timing: RefreshTiming = DEFAULT_REFRESH_TIMING): number {
  const lifetime = Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? lifetimeMs : 0;
  const byRatio = lifetime * timing.ratio;
  const byLead = lifetime - timing.minLeadMs;
  return Math.max(Math.min(byRatio, byLead), lifetime / 2, timing.minDelayMs);
}

/** Local time at which the token that arrived at `receivedAt` and expires at `expiresAt` is due for a refresh. */
export function refreshDueAt(
  receivedAt: number,
  expiresAt: number,
  timing: RefreshTiming = DEFAULT_REFRESH_TIMING,
): number {
  return receivedAt + refreshDelayAfterArrival(expiresAt - receivedAt, timing);
}

/** Whether a token is too close to expiry (or past its due time) to be attached to a request as is. */
export function needsRefresh(
  now: number,
  receivedAt: number,
  expiresAt: number,
  timing: RefreshTiming = DEFAULT_REFRESH_TIMING,
): boolean {
  return now >= refreshDueAt(receivedAt, expiresAt, timing);
}

/**
 * Whether the wall clock jumped further than a heartbeat of `intervalMs` can
 * explain: the machine slept (timers do not run meanwhile), so a due refresh must
 * run at once instead of when its timer eventually fires.
 */
export function clockJumped(previousTick: number, now: number, intervalMs: number, slackMs = 2_000): boolean {
  return now - previousTick > intervalMs + slackMs;
}
