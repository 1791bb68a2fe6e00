/**
 * Invariant (f)'s bookkeeping: when each tab may send its next token request of the
 * refresh machinery. Two clocks per tab:
 *
 * - the service's: a 429/503 with `Retry-After` on such a request. It holds for every
 *   token request of the tab but a login's (a refresh, a re-authorize's code
 *   exchange, the sign-out's refresh for a fresh bearer);
 * - the engine's own: the `retryInMs` of its last transient `refreshFailed`. It holds
 *   for the refresh machinery while the tab has a session (the engine resets it when
 *   the session ends).
 *
 * Both end when new tokens reach the tab (a request succeeded, here or in another
 * tab) and when the browser comes back `online` (the engine retries at once then, by
 * design).
 */
interface Window {
  readonly until: number;
  readonly why: string;
}

export class RetryClocks {
  private readonly service = new Map<string, Window>();
  private readonly engine = new Map<string, Window>();

  serviceSaid(tab: string, until: number, why: string): void {
    hold(this.service, tab, until, why);
  }

  engineSaid(tab: string, until: number, why: string): void {
    hold(this.engine, tab, until, why);
  }

  /** New tokens reached the tab, or it came back online: whatever failed before is over. */
  reset(tab: string): void {
    this.service.delete(tab);
    this.engine.delete(tab);
  }

  sessionEnded(tab: string): void {
    this.engine.delete(tab);
  }

  /** Why a token request of `tab` at `now` is too early, or null when it may go. */
  tooEarly(tab: string, now: number, hasSession: boolean): string | null {
    for (const window of [this.service.get(tab), hasSession ? this.engine.get(tab) : undefined]) {
      if (window && now < window.until) return `${Math.round(window.until - now)} ms before ${window.why} allows`;
    }
    return null;
  }
}

function hold(clocks: Map<string, Window>, tab: string, until: number, why: string): void {
  const current = clocks.get(tab);
  if (!current || current.until < until) clocks.set(tab, { until, why });
}
