/**
 * THE only place a refresh happens. Single flight per tab; across tabs only the
 * leader refreshes (followers ask it and wait for the next generation); proactive
 * refresh on a timer, at once after the machine slept; capped, jittered backoff on
 * transient failures (Retry-After honoured, at once when the browser is back
 * online); a spent grant gets one silent re-authorize with the identity-session
 * cookie before the session ends.
 */
import {
  IdentityAuthError,
  type IdentityClient,
  isIdentityAuthError,
  refreshTokens,
} from 'b2trader.identity.auth/core';

import { backoffDelay } from './backoff';
import type { CrossTab } from './cross-tab';
import type { Cancel, IdentityAuthPlatform } from './identity-auth-platform';
import { reauthorizeFailureAction, refreshFailureAction } from './refresh-failure';
import { clockJumped, refreshDueAt, type RefreshTiming } from './refresh-schedule';
import { SESSION_ERROR_CODES } from './session-error-codes';
import type { SessionState } from './session-state';
import type { IdentityTokenRecord } from './token-record';
import { recordFromTokens } from './token-record';

/** What the coordinator needs from the engine around it. */
export interface RefreshHost {
  readonly client: IdentityClient;
  readonly timing: RefreshTiming;
  readonly platform: IdentityAuthPlatform;
  readonly state: SessionState;
  readonly tabs: CrossTab;
  /** Broadcasts `record` to the other tabs, then adopts it here. */
  publish(record: IdentityTokenRecord, cause: 'refresh' | 'restore'): void;
  /** Ends the session in every tab with one `sessionExpired` each. */
  expire(error: IdentityAuthError, sessionId: string): void;
  /** A silent authorize + code exchange with the identity-session cookie. */
  silentTokens(generation: number, previous: IdentityTokenRecord): Promise<IdentityTokenRecord>;
}

const HEARTBEAT_MS = 5_000;

function signedOutError(): IdentityAuthError {
  return new IdentityAuthError('login_required', 'refresh failed: there is no session. Sign in first.', {
    step: 'refresh',
    code: SESSION_ERROR_CODES.signedOut,
  });
}

interface Waiter {
  readonly after: number;
  resolve(record: IdentityTokenRecord): void;
  reject(error: unknown): void;
}

export class RefreshCoordinator {
  private inFlight: Promise<IdentityTokenRecord> | null = null;
  private waiters: Waiter[] = [];
  private cancelTimer: Cancel | null = null;
  private retryAttempt = 0;
  private lastTick: number;
  private readonly cancels: Cancel[] = [];
  private stopped = false;

  constructor(private readonly host: RefreshHost) {
    const { platform } = host;
    this.lastTick = platform.now();
    if (platform.isBrowser) {
      this.cancels.push(
        platform.setInterval(() => this.heartbeat(), HEARTBEAT_MS),
        platform.listen('online', () => this.runIfLeader(this.retryAttempt > 0)),
        platform.listen('pageshow', () => this.heartbeat()),
      );
    }
  }

  /**
   * New tokens: joins the running refresh, or starts one (leader) or asks the leader
   * (follower). With `stale`, resolves at once to a newer current record.
   */
  refresh(stale?: string): Promise<IdentityTokenRecord> {
    const current = this.host.state.record();
    if (!current) return Promise.reject(signedOutError());
    if (stale !== undefined && current.accessToken !== stale) return Promise.resolve(current);
    if (this.inFlight) return this.inFlight;
    const run = this.host.tabs.isLeader ? this.refreshAsLeader(current) : this.askLeader(current);
    const flight = run.finally(() => {
      if (this.inFlight === flight) this.inFlight = null;
    });
    this.inFlight = flight;
    return flight;
  }

  /** Called whenever the current record changed: wakes waiters and reschedules. */
  onRecordChanged(): void {
    const record = this.host.state.record();
    if (record) {
      const ready = this.waiters.filter((w) => record.generation > w.after);
      this.waiters = this.waiters.filter((w) => record.generation <= w.after);
      ready.forEach((w) => w.resolve(record));
    } else {
      this.rejectWaiters(signedOutError());
    }
    this.schedule();
  }

  /** A follower's refresh failed in the leader: its waiters learn it now, not at their timeout. */
  onLeaderFailed(generation: number, transient: boolean): void {
    const error = new IdentityAuthError(
      transient ? 'server' : 'login_required',
      `refresh failed in another tab${transient ? '; it is retried' : ''}.`,
      { step: 'refresh', code: SESSION_ERROR_CODES.leaderRefreshFailed },
    );
    const failed = this.waiters.filter((w) => w.after <= generation);
    this.waiters = this.waiters.filter((w) => w.after > generation);
    failed.forEach((w) => w.reject(error));
  }

  /** This tab just became the leader: it holds the latest tokens; refresh now if due, else schedule. */
  onLeadership(): void {
    this.schedule();
    if (this.waiters.length > 0 && !this.stopped && this.host.state.record()) {
      // Its own question to the old leader is moot: refresh here; the waiters wake on the
      // new record, or fail with this refresh's error.
      this.inFlight = null;
      this.refresh().catch(() => undefined);
    }
  }

  /** A follower asked for a refresh of `generation`. */
  onRefreshRequest(generation: number): void {
    const record = this.host.state.record();
    if (!this.host.tabs.isLeader || !record) return;
    if (record.generation > generation) {
      this.host.tabs.post({ kind: 'state', record, cause: 'refresh' });
      return;
    }
    this.refresh().catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancels.forEach((cancel) => cancel());
    this.rejectWaiters(signedOutError());
  }

  private rejectWaiters(error: unknown): void {
    const waiting = this.waiters;
    this.waiters = [];
    waiting.forEach((w) => w.reject(error));
  }

  private schedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const record = this.host.state.record();
    if (this.stopped || !record || !this.host.tabs.isLeader || !this.host.platform.isBrowser) return;
    const { platform, timing } = this.host;
    const delay =
      this.retryAttempt > 0
        ? this.retryDelay
        : refreshDueAt(record.receivedAt, record.expiresAt, timing) - platform.now();
    this.cancelTimer = platform.setTimeout(() => this.runIfLeader(true), Math.max(0, delay));
  }

  private retryDelay = 0;
  /** When this tab last refreshed: the next refresh waits at least `minDelayMs`, whatever the record says. */
  private lastRefreshAt = Number.NEGATIVE_INFINITY;

  private runIfLeader(condition: boolean): void {
    if (!condition || this.stopped || !this.host.tabs.isLeader || !this.host.state.record()) return;
    this.refresh().catch(() => undefined);
  }

  private heartbeat(): void {
    const now = this.host.platform.now();
    const slept = clockJumped(this.lastTick, now, HEARTBEAT_MS);
    this.lastTick = now;
    const record = this.host.state.record();
    if (slept && record) {
      const due = refreshDueAt(record.receivedAt, record.expiresAt, this.host.timing) <= now;
      this.runIfLeader(due);
    }
  }

  private async refreshAsLeader(current: IdentityTokenRecord): Promise<IdentityTokenRecord> {
    const { host } = this;
    try {
      let next: IdentityTokenRecord;
      try {
        if (!current.refreshToken)
          throw new IdentityAuthError('invalid_grant', 'refresh failed: no refresh token.', { step: 'refresh' });
        const tokens = await refreshTokens(host.client, current.refreshToken, { expectedSubject: current.subject });
        next = recordFromTokens(tokens, {
          generation: current.generation + 1,
          sessionId: current.sessionId,
          clientId: current.clientId,
          requestedScope: host.client.scope,
          account: current.account,
          subject: current.subject,
          receivedAt: host.platform.now(),
        });
      } catch (err) {
        if (refreshFailureAction(err) !== 'reauthorize') throw err;
        try {
          next = await host.silentTokens(current.generation + 1, current);
        } catch (silentErr) {
          // Transient: retried later; login_required and the rest: the session ends with the cookie's answer.
          throw reauthorizeFailureAction(silentErr) === 'retry' || isIdentityAuthError(silentErr) ? silentErr : err;
        }
      }
      if (this.stopped) return next;
      // The session ended (a sign-out) while the answer was on its way: do not revive it.
      if (host.state.record()?.generation !== current.generation)
        return host.state.record() ?? Promise.reject(signedOutError());
      this.retryAttempt = 0;
      this.lastRefreshAt = host.platform.now();
      host.publish(next, 'refresh');
      return next;
    } catch (err) {
      if (this.stopped) throw err;
      throw this.onFailure(err, current);
    }
  }

  /** Reports a failed refresh; returns the error that every caller and waiter gets. */
  private onFailure(err: unknown, current: IdentityTokenRecord): IdentityAuthError {
    const { host } = this;
    const error = isIdentityAuthError(err)
      ? err
      : new IdentityAuthError('invalid_response', 'refresh failed unexpectedly.', { step: 'refresh', cause: err });
    // Waiters left from before this tab led (it took over) share this refresh's outcome.
    this.rejectWaiters(error);
    if (error.transient) {
      this.retryDelay = backoffDelay(this.retryAttempt, host.platform.random(), error.retryAfterMs);
      this.retryAttempt += 1;
      host.tabs.post({ kind: 'refresh-failed', generation: current.generation, transient: true });
      host.state.events.next({
        type: 'refreshFailed',
        at: host.platform.now(),
        origin: 'this-tab',
        transient: true,
        error,
        retryInMs: this.retryDelay,
      });
      this.schedule();
      return error;
    }
    host.state.events.next({
      type: 'refreshFailed',
      at: host.platform.now(),
      origin: 'this-tab',
      transient: false,
      error,
    });
    this.retryAttempt = 0;
    host.expire(error, current.sessionId);
    return error;
  }

  /**
   * A follower's refresh: asks the leader and waits for the next generation. A leader
   * that stays silent for two to three time limits holds the lock but is hung (a busy
   * or paused page): this tab takes the lock over and refreshes itself, and the
   * waiters get its record. Only when that fails too do they get a transient `timeout`.
   */
  private askLeader(current: IdentityTokenRecord): Promise<IdentityTokenRecord> {
    const { host } = this;
    return new Promise<IdentityTokenRecord>((resolve, reject) => {
      const limit = host.client.timeoutMs * 2;
      const giveUp = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new IdentityAuthError('timeout', 'refresh failed: the tab that refreshes did not answer in time.', {
            step: 'refresh',
            code: SESSION_ERROR_CODES.leaderTimeout,
          }),
        );
      };
      // Jittered, so that of several followers of one hung leader the first to take over
      // has usually published its record (which releases the others) before the next would.
      let cancel = host.platform.setTimeout(
        () => {
          // Taking over makes this tab the leader: onLeadership() refreshes for the waiters.
          cancel = host.tabs.takeOver() ? host.platform.setTimeout(giveUp, limit) : (giveUp(), () => undefined);
        },
        limit * (1 + host.platform.random() / 2),
      );
      const waiter: Waiter = {
        after: current.generation,
        resolve: (record) => (cancel(), resolve(record)),
        reject: (error) => (cancel(), reject(error)),
      };
      this.waiters.push(waiter);
      host.tabs.post({ kind: 'refresh-request', generation: current.generation });
    });
  }
}
