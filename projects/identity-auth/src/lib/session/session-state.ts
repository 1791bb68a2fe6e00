/**
 * THE owner of the session's tokens: the only place they are written. Everything
 * else reads the signals it exposes, or asks it to adopt or end a session.
 *
 * The engine's timers and messages run outside Angular's zone (IdentityAuthPlatform);
 * the changes the app reads — these signals and events — are made inside it, so a
 * zone.js app renders them and its own event handlers run in its zone.
 */
import { computed, inject, Injectable, NgZone, signal } from '@angular/core';
import { Subject } from 'rxjs';

import type { IdentityAuthEvent, IdentityAuthEventOrigin } from './identity-auth-events';
import type { IdentityAuthStatus, IdentitySession } from './session-access';
import { type IdentityTokenRecord, isNewerRecord, sessionFromRecord } from './token-record';
import type { IdentityTokenStore } from './token-store';

/** Why a record is adopted: decides the event. */
export type AdoptCause = 'login' | 'restore' | 'refresh';

@Injectable()
export class SessionState {
  readonly #current = signal<IdentityTokenRecord | null>(null);
  readonly #currentStatus = signal<IdentityAuthStatus>('unknown');
  /** Sessions that ended here: a late record of one of them must not revive it. */
  readonly #endedSessions = new Set<string>();
  #highestGeneration = 0;
  #store: IdentityTokenStore | null = null;
  /** The store's writes, one after another in the order they were asked for. */
  #writes: Promise<void> = Promise.resolve();
  #queuedWrites = 0;
  #now: () => number = Date.now;
  readonly #zone = inject(NgZone, { optional: true });

  readonly status = this.#currentStatus.asReadonly();
  readonly session = computed<IdentitySession | null>(() => {
    const record = this.#current();
    return record ? sessionFromRecord(record) : null;
  });
  /** Every event, synchronously (a Subject: `toObservable` would coalesce). */
  readonly events = new Subject<IdentityAuthEvent>();

  /** Connects the store and the clock (once the configuration is resolved). */
  attach(store: IdentityTokenStore, now: () => number): void {
    this.#store = store;
    this.#now = now;
  }

  /** The current tokens: for the engine only, never for components. */
  record(): IdentityTokenRecord | null {
    return this.#current();
  }

  /** The generation a new session (login, restore) must exceed. */
  nextGeneration(): number {
    return Math.max(this.#current()?.generation ?? 0, this.#highestGeneration) + 1;
  }

  /**
   * Takes `record` when it is newer than the current one (and not of an ended
   * session); persists it and emits `signedIn` or `refreshed`. Returns whether it was taken.
   */
  adopt(record: IdentityTokenRecord, cause: AdoptCause, origin: IdentityAuthEventOrigin): boolean {
    return this.#inAppZone(() => this.#adoptHere(record, cause, origin));
  }

  #adoptHere(record: IdentityTokenRecord, cause: AdoptCause, origin: IdentityAuthEventOrigin): boolean {
    const previous = this.#current();
    if (this.#endedSessions.has(record.sessionId) || !isNewerRecord(record, previous)) return false;
    this.#highestGeneration = Math.max(this.#highestGeneration, record.generation);
    this.#current.set(record);
    this.#currentStatus.set('signed-in');
    this.#persist((store) => store.save(record));
    const session = sessionFromRecord(record);
    const at = this.#now();
    if (previous && previous.subject === record.subject && cause !== 'login') {
      this.events.next({ type: 'refreshed', at, origin, session });
    } else {
      this.events.next({ type: 'signedIn', at, origin, via: cause === 'login' ? 'login' : 'restore', session });
    }
    return true;
  }

  /**
   * Ends a session (once): forgets the tokens everywhere this tab keeps them and emits
   * `event` (none when null: the caller emits it later). With `sessionId`, only that
   * session: a newer login here stays.
   */
  end(event: (IdentityAuthEvent & { type: 'signedOut' | 'sessionExpired' }) | null, sessionId?: string): boolean {
    return this.#inAppZone(() => this.#endHere(event, sessionId));
  }

  #endHere(event: (IdentityAuthEvent & { type: 'signedOut' | 'sessionExpired' }) | null, sessionId?: string): boolean {
    const previous = this.#current();
    if (sessionId !== undefined) this.#endedSessions.add(sessionId);
    if (previous && sessionId !== undefined && previous.sessionId !== sessionId) return false;
    if (previous) this.#endedSessions.add(previous.sessionId);
    this.#current.set(null);
    this.#currentStatus.set('signed-out');
    this.#persist((store) => store.clear());
    if (!previous) return false;
    if (event) this.events.next(event);
    return true;
  }

  /** Sessions ended elsewhere (a sign-out mark): none of their records is adopted here. */
  forget(sessionIds: readonly string[]): void {
    sessionIds.forEach((id) => this.#endedSessions.add(id));
  }

  /** Whether `sessionId` ended in this tab (or was forgotten). */
  hasEnded(sessionId: string): boolean {
    return this.#endedSessions.has(sessionId);
  }

  /** Resolves once every write asked for so far has finished (or failed). */
  flushed(): Promise<void> {
    return this.#writes;
  }

  /** Start-up's restore finished: `unknown` becomes `signed-out` when nothing was restored. */
  markRestored(): void {
    if (this.#currentStatus() === 'unknown') this.#inAppZone(() => this.#currentStatus.set('signed-out'));
  }

  /** Runs `change` in the app's zone (at once when already there, or when there is none). */
  #inAppZone<T>(change: () => T): T {
    return this.#zone && !NgZone.isInAngularZone() ? this.#zone.run(change) : change();
  }

  /**
   * Writes now when nothing is queued (a synchronous store is written at once), else
   * queues the write behind the ones before it: an asynchronous store sees them in
   * order, so a slow save never lands after the clear that followed it.
   */
  #persist(write: (store: IdentityTokenStore) => void | Promise<void>): void {
    const store = this.#store;
    if (!store) return;
    if (this.#queuedWrites > 0) {
      this.#track(this.#writes.then(() => write(store)));
      return;
    }
    try {
      const result = write(store);
      if (result && typeof (result as Promise<void>).then === 'function') this.#track(Promise.resolve(result));
    } catch {
      // A failing custom store loses persistence, never the session in memory.
    }
  }

  #track(write: Promise<void>): void {
    this.#queuedWrites += 1;
    this.#writes = write
      .catch(() => undefined) // as above: persistence lost, the session kept
      .finally(() => (this.#queuedWrites -= 1));
  }
}
