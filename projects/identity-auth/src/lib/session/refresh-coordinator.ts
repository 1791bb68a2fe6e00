/**
 * THE only place a refresh happens. Single flight per tab; across tabs only the
 * leader refreshes (followers ask it and wait for the next generation), and every
 * presentation of a refresh token is fenced: the generation is claimed first, so a
 * token is never presented twice, whatever a frozen or confused tab believes.
 * Proactive refresh on a timer, at once after the machine slept; one retry clock
 * for every trigger after a transient failure (capped, jittered backoff;
 * Retry-After honoured; at once when the browser is back online); a spent grant
 * gets one silent re-authorize with the identity-session cookie before the session
 * ends — unless the trader signed out.
 */
import {
  IdentityAuthError,
  type IdentityClient,
  isIdentityAuthError,
  refreshTokens,
} from 'b2trader.identity.auth/core';

import { backoffDelay } from './backoff';
import type { CrossTab } from './cross-tab';
import type { Cancel, IdentityAuthPlatform } from '../platform/identity-auth-platform';
import { answerDueBy, type RefreshFence } from './refresh-fence';
import { reauthorizeFailureAction, refreshFailureAction } from './refresh-failure';
import { clockJumped, refreshDueAt, type RefreshTiming } from './refresh-schedule';
import { SESSION_ERROR_CODES } from './session-error-codes';
import type { SessionState } from './session-state';
import type { IdentityTokenRecord } from './token-record';
import { recordFromTokens } from './token-record';

/** What the coordinator needs from the running session around it. */
export interface RefreshHost {
  readonly client: IdentityClient;
  readonly timing: RefreshTiming;
  readonly platform: IdentityAuthPlatform;
  readonly state: SessionState;
  readonly tabs: CrossTab;
  readonly fence: RefreshFence;
  /** Broadcasts `record` to the other tabs, then adopts it here. */
  publish(record: IdentityTokenRecord, cause: 'refresh' | 'restore'): void;
  /** Ends the session in every tab with one `sessionExpired` each. */
  expire(error: IdentityAuthError, sessionId: string): void;
  /** A silent authorize + code exchange with the identity-session cookie. */
  silentTokens(generation: number, previous: IdentityTokenRecord): Promise<IdentityTokenRecord>;
  /** Whether the trader signed out (in any tab): nothing may revive the session then. */
  signedOut(sessionId: string): boolean;
  /** Tokens that arrived for a session no longer held here: revoke them at the service. */
  revoke(record: IdentityTokenRecord): void;
}

const HEARTBEAT_MS = 5_000;

function signedOutError(): IdentityAuthError {
  return new IdentityAuthError('login_required', 'refresh failed: there is no session. Sign in first.', {
    step: 'refresh',
    code: SESSION_ERROR_CODES.signedOut,
  });
}

/** Whether `id` (`sessionId:generation`) names another session or an earlier generation than `record`. */
function isBefore(id: string, record: IdentityTokenRecord): boolean {
  const at = id.lastIndexOf(':');
  return id.slice(0, at) !== record.sessionId || Number(id.slice(at + 1)) < record.generation;
}

interface Waiter {
  readonly after: number;
  resolve(record: IdentityTokenRecord): void;
  reject(error: unknown): void;
}

/**
 * The service said it did not take the token: a 429, or a 503 (unavailable). Any other
 * failure — a 500 or a gateway's 502/504 after the service may have rotated, a lost
 * connection, a timeout — may have consumed it.
 */
function answeredWithoutTaking(err: unknown): boolean {
  return isIdentityAuthError(err) && (err.status === 429 || err.status === 503);
}

export class RefreshCoordinator {
  #inFlight: Promise<IdentityTokenRecord> | null = null;
  #waiters: Waiter[] = [];
  #cancelTimer: Cancel | null = null;
  /** The retry clock: no refresh starts before it, whatever asks (timer, requests, followers). */
  #retryAt = Number.NEGATIVE_INFINITY;
  #retryAttempt = 0;
  /** The delay the retry clock was last set to (what `refreshFailed` reports). */
  #retryDelay = 0;
  #lastTransient: IdentityAuthError | null = null;
  #seenGeneration = 0;
  /** Generations whose refresh token this tab presented (`sessionId:generation`). */
  readonly #presented = new Set<string>();
  /** Presentations of this tab that ended without an answer (`sessionId:generation`). */
  readonly #lost = new Set<string>();
  #lastTick: number;
  readonly #cancels: Cancel[] = [];
  #stopped = false;

  readonly #host: RefreshHost;

  constructor(host: RefreshHost) {
    this.#host = host;
    const { platform } = host;
    this.#lastTick = platform.now();
    if (platform.isBrowser) {
      this.#cancels.push(
        platform.setInterval(() => this.#heartbeat(), HEARTBEAT_MS),
        platform.listen('online', () => this.#backOnline()),
        platform.listen('pageshow', () => this.#heartbeat()),
      );
    }
  }

  /**
   * New tokens: joins the running refresh, or starts one (leader) or asks the leader
   * (follower). With `stale`, resolves at once to a newer current record. While the
   * retry clock runs, rejects with a transient `refresh_backoff` error and sends nothing.
   */
  refresh(stale?: string): Promise<IdentityTokenRecord> {
    const current = this.#host.state.record();
    if (!current || this.#stopped) return Promise.reject(signedOutError());
    if (stale !== undefined && current.accessToken !== stale) return Promise.resolve(current);
    if (this.#inFlight) return this.#inFlight;
    const wait = this.#retryAt - this.#host.platform.now();
    if (wait > 0) return Promise.reject(this.#backoffError(wait));
    const run = this.#host.tabs.isLeader ? this.#refreshAsLeader(current) : this.#askLeader(current);
    const flight = run.finally(() => {
      if (this.#inFlight === flight) this.#inFlight = null;
      // A timer that fired during the flight joined it: the record now current gets its own.
      this.#schedule();
    });
    this.#inFlight = flight;
    return flight;
  }

  /** Called whenever the current record changed: wakes waiters and reschedules. */
  onRecordChanged(): void {
    const record = this.#host.state.record();
    if (record && record.generation > this.#seenGeneration) {
      // New tokens: whatever failed before, the retry clock starts afresh.
      this.#seenGeneration = record.generation;
      this.#resetRetryClock();
      // What this tab presented before the current generation is of no use now (a long session
      // would otherwise keep one entry per rotation).
      for (const set of [this.#presented, this.#lost]) {
        for (const id of set) if (isBefore(id, record)) set.delete(id);
      }
    }
    if (record) {
      const ready = this.#waiters.filter((w) => record.generation > w.after);
      this.#waiters = this.#waiters.filter((w) => record.generation <= w.after);
      ready.forEach((w) => w.resolve(record));
    } else {
      // The retry clock stays: it is the service's, not the session's.
      this.#rejectWaiters(signedOutError());
    }
    this.#schedule();
  }

  /**
   * A refresh failed in the leader: waiters for it learn it now, not at their timeout;
   * a transient failure sets this tab's retry clock to the leader's.
   */
  onLeaderFailed(generation: number, transient: boolean, retryInMs?: number): void {
    if (transient && retryInMs !== undefined && retryInMs > 0) {
      this.#retryAt = Math.max(this.#retryAt, this.#host.platform.now() + retryInMs);
    }
    const error = new IdentityAuthError(
      transient ? 'server' : 'login_required',
      `refresh failed in another tab${transient ? '; it is retried' : ''}.`,
      { step: 'refresh', code: SESSION_ERROR_CODES.leaderRefreshFailed, retryAfterMs: retryInMs },
    );
    this.#lastTransient = transient ? error : this.#lastTransient;
    const failed = this.#waiters.filter((w) => w.after <= generation);
    this.#waiters = this.#waiters.filter((w) => w.after > generation);
    failed.forEach((w) => w.reject(error));
  }

  /** This tab just became the leader: it holds the latest tokens; refresh now if due, else schedule. */
  onLeadership(): void {
    this.#schedule();
    if (this.#waiters.length > 0 && !this.#stopped && this.#host.state.record()) {
      // Its own question to the old leader is moot: refresh here; the waiters wake on the
      // new record, or fail with this refresh's error.
      this.#inFlight = null;
      this.refresh().catch(() => undefined);
    }
  }

  /** A follower asked for a refresh of `generation`. */
  onRefreshRequest(generation: number): void {
    const record = this.#host.state.record();
    if (!this.#host.tabs.isLeader || !record) return;
    if (record.generation > generation) {
      this.#host.tabs.post({ kind: 'state', record, cause: 'refresh' });
      return;
    }
    const wait = this.#retryAt - this.#host.platform.now();
    if (wait > 0) {
      // Backing off: the follower learns when to ask again instead of waiting to take over.
      this.#host.tabs.post({ kind: 'refresh-failed', generation, transient: true, retryInMs: wait });
      return;
    }
    this.refresh().catch(() => undefined);
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancels.forEach((cancel) => cancel());
    this.#rejectWaiters(signedOutError());
  }

  /**
   * Rejects with the transient `refresh_backoff` error while the retry clock runs: every
   * other call of this tab to the token endpoint (a sign-out's own refresh) obeys it too.
   */
  checkRetryClock(): void {
    const wait = this.retryWait();
    if (wait > 0) throw this.#backoffError(wait);
  }

  /** How long the retry clock still forbids token requests, in ms (0: not at all). */
  retryWait(): number {
    return Math.max(0, this.#retryAt - this.#host.platform.now());
  }

  /** Another call of this tab to the token endpoint failed transiently: the clock starts for all. */
  noteTransient(error: unknown): void {
    if (isIdentityAuthError(error) && error.transient) this.#startRetryClock(error);
  }

  #backoffError(wait: number): IdentityAuthError {
    const last = this.#lastTransient;
    return new IdentityAuthError(
      last?.kind ?? 'server',
      `refresh waits ${Math.ceil(wait / 1000)} s before it is tried again (the last attempt failed).`,
      { step: 'refresh', code: SESSION_ERROR_CODES.refreshBackoff, retryAfterMs: wait, status: last?.status },
    );
  }

  /** A transient failure: no token request before the backoff (or Retry-After) has passed. Once per failure. */
  #startRetryClock(error: IdentityAuthError): void {
    // Once per failure; a sign-out or the clock's own backoff is no failure of the service.
    const notFromService =
      error.code === SESSION_ERROR_CODES.signedOut || error.code === SESSION_ERROR_CODES.refreshBackoff;
    if (this.#lastTransient === error || notFromService) return;
    const { platform } = this.#host;
    // A later failure never shortens a wait the service asked for (Retry-After of an earlier answer).
    const now = platform.now();
    this.#retryAt = Math.max(
      this.#retryAt,
      now + backoffDelay(this.#retryAttempt, platform.random(), error.retryAfterMs),
    );
    this.#retryDelay = this.#retryAt - now;
    this.#retryAttempt += 1;
    this.#lastTransient = error;
  }

  #resetRetryClock(): void {
    this.#retryAt = Number.NEGATIVE_INFINITY;
    this.#retryAttempt = 0;
    this.#lastTransient = null;
  }

  #rejectWaiters(error: unknown): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    waiting.forEach((w) => w.reject(error));
  }

  #schedule(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    const record = this.#host.state.record();
    if (this.#stopped || !record || !this.#host.platform.isBrowser) return;
    const { platform, timing } = this.#host;
    if (!this.#host.tabs.isLeader) {
      // A follower's watchdog: when the leader has not refreshed by the time its answer was
      // due, it may hang; ask it (and take over if it stays silent), before the token dies.
      const overdue = refreshDueAt(record.receivedAt, record.expiresAt, timing) + this.#host.client.timeoutMs;
      this.#cancelTimer = platform.setTimeout(
        () => void this.refresh().catch(() => undefined),
        Math.max(0, overdue, this.#retryAt) - platform.now(),
      );
      return;
    }
    // After a failure here the retry clock alone says when; otherwise the token's due time, not before the clock.
    const due =
      this.#retryAttempt > 0
        ? this.#retryAt
        : Math.max(refreshDueAt(record.receivedAt, record.expiresAt, timing), this.#retryAt);
    this.#cancelTimer = platform.setTimeout(() => this.#runIfLeader(true), Math.max(0, due - platform.now()));
  }

  /** Back online: a waiting retry runs now (the network was the reason it failed). */
  #backOnline(): void {
    if (this.#retryAttempt === 0) return;
    this.#retryAt = Number.NEGATIVE_INFINITY;
    this.#runIfLeader(true);
  }

  #runIfLeader(condition: boolean): void {
    if (!condition || this.#stopped || !this.#host.tabs.isLeader || !this.#host.state.record()) return;
    this.refresh().catch((err: unknown) => {
      // A timer that fired a moment before the retry clock (timers and Date.now() round apart): arm it again.
      if (isIdentityAuthError(err) && err.code === SESSION_ERROR_CODES.refreshBackoff) this.#schedule();
    });
  }

  #heartbeat(): void {
    const now = this.#host.platform.now();
    const slept = clockJumped(this.#lastTick, now, HEARTBEAT_MS);
    this.#lastTick = now;
    const record = this.#host.state.record();
    if (slept && record) {
      const due = refreshDueAt(record.receivedAt, record.expiresAt, this.#host.timing) <= now;
      this.#runIfLeader(due);
    }
  }

  async #refreshAsLeader(current: IdentityTokenRecord): Promise<IdentityTokenRecord> {
    const host = this.#host;
    try {
      const next = await this.#nextRecord(current);
      const now = host.state.record();
      if (next === now) return next;
      if (this.#stopped || now?.generation !== current.generation || now.sessionId !== current.sessionId) {
        // The session ended (a sign-out) or moved on while the answer was on its way: do not
        // revive it, and leave nothing alive at the service that nobody holds.
        if (next.generation > current.generation) host.revoke(next);
        if (now && now.sessionId === current.sessionId) return now;
        throw signedOutError();
      }
      this.#resetRetryClock();
      host.publish(next, 'refresh');
      // Refused (a sign-out came first): its tokens are revoked, not handed to a caller.
      if (host.state.record() !== next) throw signedOutError();
      return next;
    } catch (err) {
      if (this.#stopped) throw err;
      throw this.#onFailure(err, current);
    }
  }

  /**
   * The record after `current`: its refresh token presented once, under a claim of its
   * generation. A generation claimed already (another tab presented it, or this tab did
   * and lost the answer) is never presented again: a newer record comes from the tabs, or
   * the identity-session cookie heals the session.
   */
  async #nextRecord(current: IdentityTokenRecord): Promise<IdentityTokenRecord> {
    const host = this.#host;
    if (host.signedOut(current.sessionId)) throw signedOutError();
    const id = `${current.sessionId}:${current.generation}`;
    if (!current.refreshToken || this.#presented.has(id)) return this.#heal(current);
    const claim = await host.fence.claim(current.sessionId, current.generation);
    const now = host.state.record();
    if (!now || now.sessionId !== current.sessionId || host.signedOut(current.sessionId)) {
      // Signed out while claiming: present nothing.
      if (claim.granted) await host.fence.release(current.sessionId, current.generation);
      throw signedOutError();
    }
    // Adopted a newer record meanwhile (a woken tab reads its queued messages): take it.
    if (now.generation > current.generation) return now;
    const wait = this.retryWait();
    if (claim.granted && wait > 0) {
      // Another request of this tab failed while this one claimed: the retry clock holds it back.
      await host.fence.release(current.sessionId, current.generation);
      throw this.#backoffError(wait);
    }
    if (!claim.granted) {
      const newer = await this.#newerFromTabs(current, claim.claimedAt);
      if (this.#stopped) throw signedOutError();
      return newer ?? this.#heal(current);
    }
    this.#presented.add(id);
    try {
      const tokens = await refreshTokens(host.client, current.refreshToken, { expectedSubject: current.subject });
      // Spent now, whatever becomes of this answer: no sign-out presents it again.
      void host.fence.settle(current.sessionId, current.generation, 'answered');
      return recordFromTokens(tokens, {
        generation: current.generation + 1,
        sessionId: current.sessionId,
        clientId: current.clientId,
        requestedScope: host.client.scope,
        account: current.account,
        subject: current.subject,
        receivedAt: host.platform.now(),
      });
    } catch (err) {
      // On the server (a machine-to-machine session) there is no other tab and no cookie to
      // heal with: a blip is retried with the same token, as a lone client would.
      // At once, before anything else of this tab can reach the token endpoint.
      if (isIdentityAuthError(err) && err.transient) this.#startRetryClock(err);
      const untaken =
        answeredWithoutTaking(err) || (!host.platform.isBrowser && isIdentityAuthError(err) && err.transient);
      if (untaken) {
        this.#presented.delete(id);
        await host.fence.release(current.sessionId, current.generation);
      } else {
        // Refused (spent or revoked), or no answer at all (network, timeout, 5xx): fate unknown.
        const outcome = isIdentityAuthError(err) && !err.transient ? 'answered' : 'lost';
        if (outcome === 'lost') this.#lost.add(id);
        void host.fence.settle(current.sessionId, current.generation, outcome);
      }
      if (refreshFailureAction(err) !== 'reauthorize') throw err;
      return this.#heal(current, err);
    }
  }

  /**
   * The tab that presented `current`'s token at `claimedAt` publishes its answer within
   * one request's time limit: wait for it until then (a tab that died meanwhile never will).
   */
  #newerFromTabs(current: IdentityTokenRecord, claimedAt: number): Promise<IdentityTokenRecord | null> {
    const host = this.#host;
    const wait = answerDueBy(claimedAt, host.client.timeoutMs) - host.platform.now();
    if (!host.tabs.connected || wait <= 0) return Promise.resolve(null);
    return new Promise<IdentityTokenRecord | null>((resolve) => {
      const cancel = host.platform.setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(null);
      }, wait);
      const waiter: Waiter = {
        after: current.generation,
        resolve: (record) => (cancel(), resolve(record)),
        reject: () => (cancel(), resolve(null)),
      };
      this.#waiters.push(waiter);
      host.tabs.post({ kind: 'hello' });
    });
  }

  /** A silent authorize with the identity-session cookie; never after a sign-out. */
  async #heal(current: IdentityTokenRecord, cause?: unknown): Promise<IdentityTokenRecord> {
    const host = this.#host;
    if (this.#stopped || host.signedOut(current.sessionId)) throw signedOutError();
    let healed: IdentityTokenRecord;
    try {
      healed = await host.silentTokens(current.generation + 1, current);
    } catch (silentErr) {
      // Transient: retried later (through the cookie again); login_required and the rest: the
      // session ends with the cookie's answer.
      throw reauthorizeFailureAction(silentErr) === 'retry' || isIdentityAuthError(silentErr) || !cause
        ? silentErr
        : cause;
    }
    // This tab presented the token and the answer was lost: whether the service took it is
    // unknown, so it is revoked, by value (not presented), with the new bearer.
    if (current.refreshToken && this.#lost.delete(`${current.sessionId}:${current.generation}`)) {
      host.revoke({ ...current, accessToken: healed.accessToken, expiresAt: healed.expiresAt });
    }
    return healed;
  }

  /** Reports a failed refresh; returns the error that every caller and waiter gets. */
  #onFailure(err: unknown, current: IdentityTokenRecord): IdentityAuthError {
    const host = this.#host;
    const error = isIdentityAuthError(err)
      ? err
      : new IdentityAuthError('invalid_response', 'refresh failed unexpectedly.', { step: 'refresh', cause: err });
    // Waiters left from before this tab led (it took over) share this refresh's outcome.
    this.#rejectWaiters(error);
    // The retry clock is the service's, whatever became of the session meanwhile.
    if (error.transient) this.#startRetryClock(error);
    const retryInMs = this.#retryDelay;
    // What the event says holds from the event on (the clock started at the answer, a moment ago).
    if (error.transient) this.#retryAt = Math.max(this.#retryAt, host.platform.now() + retryInMs);
    // A sign-out (here or in another tab) is why it failed: the sign-out ends it, not an expiry.
    if (host.signedOut(current.sessionId) || error.code === SESSION_ERROR_CODES.signedOut) return error;
    if (error.transient) {
      host.tabs.post({ kind: 'refresh-failed', generation: current.generation, transient: true, retryInMs });
      host.state.events.next({
        type: 'refreshFailed',
        at: host.platform.now(),
        origin: 'this-tab',
        transient: true,
        error,
        retryInMs,
      });
      this.#schedule();
      return error;
    }
    host.state.events.next({
      type: 'refreshFailed',
      at: host.platform.now(),
      origin: 'this-tab',
      transient: false,
      error,
    });
    this.#resetRetryClock();
    // The answer to its last refresh was lost: the service may still take the token (or its
    // successor), so it is revoked rather than left to live on after the session ended here.
    if (current.refreshToken && this.#lost.delete(`${current.sessionId}:${current.generation}`)) host.revoke(current);
    host.expire(error, current.sessionId);
    return error;
  }

  /**
   * A follower's refresh: asks the leader and waits for the next generation. A leader
   * that stays silent for two to three time limits holds the lock but is hung (a busy
   * or paused page): this tab takes the lock over and refreshes itself, and the
   * waiters get its record. Only when that fails too do they get a transient `timeout`.
   * Should the hung leader wake, its claim on the generation is taken: it adopts.
   */
  #askLeader(current: IdentityTokenRecord): Promise<IdentityTokenRecord> {
    const host = this.#host;
    return new Promise<IdentityTokenRecord>((resolve, reject) => {
      const limit = host.client.timeoutMs * 2;
      const giveUp = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
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
      this.#waiters.push(waiter);
      host.tabs.post({ kind: 'refresh-request', generation: current.generation });
    });
  }
}
