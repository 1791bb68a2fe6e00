/**
 * Tabs of one origin sharing one session: a BroadcastChannel for the state and a
 * Web Lock that elects one leader tab (the only one that refreshes). Sharing needs
 * both: without either, tabs share nothing — every tab leads itself and holds
 * tokens of its own, so no two tabs ever hold one refresh token.
 */
import type { IdentityAuthPlatform, TabChannel, TabLocks } from '../platform/identity-auth-platform';
import { type IdentityTokenRecord, parseRecord } from './token-record';

/** What tabs say to each other. Every message names its sender. */
export type TabMessage =
  | {
      readonly kind: 'state';
      readonly from: string;
      readonly record: IdentityTokenRecord;
      readonly cause: 'login' | 'restore' | 'refresh';
    }
  | { readonly kind: 'hello'; readonly from: string }
  | { readonly kind: 'refresh-request'; readonly from: string; readonly generation: number }
  | {
      readonly kind: 'refresh-failed';
      readonly from: string;
      readonly generation: number;
      readonly transient: boolean;
      /** When transient: how long the leader waits before it tries again (its retry clock). */
      readonly retryInMs?: number;
    }
  | {
      readonly kind: 'ended';
      readonly from: string;
      readonly sessionId: string;
      readonly reason: 'signedOut' | 'sessionExpired';
      readonly serverNotified: boolean;
      /** The record the signing-out tab revokes (generation, arrival): a tab holding another one revokes its own. */
      readonly revoked?: { readonly generation: number; readonly receivedAt: number };
    };

type Payload<M> = M extends TabMessage ? Omit<M, 'from'> : never;

/** Reads a message from another tab; anything malformed is dropped. */
export function parseTabMessage(data: unknown): TabMessage | null {
  if (!data || typeof data !== 'object') return null;
  const m = data as Record<string, unknown>;
  if (typeof m['from'] !== 'string') return null;
  switch (m['kind']) {
    case 'state':
      return parseRecord(m['record']) ? (m as unknown as TabMessage) : null;
    case 'hello':
      return m as unknown as TabMessage;
    case 'refresh-request':
    case 'refresh-failed':
      return typeof m['generation'] === 'number' ? (m as unknown as TabMessage) : null;
    case 'ended':
      return typeof m['sessionId'] === 'string' ? (m as unknown as TabMessage) : null;
    default:
      return null;
  }
}

export class CrossTab {
  /** This tab's id in messages. */
  readonly id: string;
  readonly #channel: TabChannel | null;
  #releaseLeadership: (() => void) | null = null;
  #releasePage: (() => void) | null = null;
  #leader = false;
  #closed = false;

  readonly #platform: IdentityAuthPlatform;
  readonly #name: string;
  readonly #onMessage: (message: TabMessage) => void;

  constructor(platform: IdentityAuthPlatform, name: string, onMessage: (message: TabMessage) => void) {
    this.#platform = platform;
    this.#name = name;
    this.#onMessage = onMessage;
    this.id = `${platform.now().toString(36)}-${Math.floor(platform.random() * 2 ** 48).toString(36)}`;
    // Sharing tokens needs one refresher: without Web Locks (no secure context) there is no
    // election, and tabs sharing one refresh token would each present it. Such a tab keeps its own.
    this.#channel = platform.locks() ? platform.openChannel(name) : null;
    if (this.#channel) {
      this.#channel.onmessage = (event) => {
        const message = parseTabMessage(event.data);
        if (message && message.from !== this.id && !this.#closed) this.#onMessage(message);
      };
      // Held while this page lives: another tab learns that it is gone by being granted it.
      void platform
        .locks()
        ?.request(this.#pageLock(this.id), () => new Promise<void>((release) => (this.#releasePage = release)))
        .catch(() => undefined);
    }
  }

  #pageLock(pageId: string): string {
    return `${this.#name}:page:${pageId}`;
  }

  /**
   * Resolves once the tab `pageId` is gone (closed, reloaded, crashed: its page lock is free).
   * Never resolves without Web Locks, where tabs share no tokens to look after.
   */
  whenGone(pageId: string): Promise<void> {
    const locks = this.#platform.locks();
    if (!locks || !this.#channel) return new Promise<void>(() => undefined);
    return locks.request(this.#pageLock(pageId), () => Promise.resolve());
  }

  /** True when other tabs can hear this one. */
  get connected(): boolean {
    return this.#channel !== null;
  }

  /** True while this tab holds the leader lock (always, where there are no Web Locks). */
  get isLeader(): boolean {
    return this.#leader;
  }

  /**
   * Whether another tab of this session may be open: someone else holds the leader
   * lock. A lone tab need not wait for answers that cannot come. Without Web Locks:
   * maybe (true) when there is a channel.
   */
  async mayHavePeers(): Promise<boolean> {
    const locks = this.#platform.locks();
    if (!this.#channel || this.#closed) return false;
    if (!locks) return true;
    try {
      const held = (await locks.held()).includes(`${this.#name}:leader`);
      return held && !this.#leader;
    } catch {
      return true;
    }
  }

  /**
   * Queues for the leader lock; `onLeader` runs each time this tab gets it. A tab whose
   * lock was taken over (see {@link takeOver}) stops leading and queues again.
   */
  campaign(onLeader: () => void): void {
    this.#onLeader = onLeader;
    const locks = this.#platform.locks();
    if (!locks || !this.#channel) {
      this.#leader = true;
      onLeader();
      return;
    }
    this.#requestLock(locks, false);
  }

  /**
   * Takes the leader lock from a tab that holds it but no longer answers (its page
   * hung): this tab leads from now on. No-op without Web Locks, or when already leading.
   */
  takeOver(): boolean {
    const locks = this.#platform.locks();
    if (!locks || !this.#channel || this.#leader || this.#closed || !this.#onLeader) return false;
    this.#requestLock(locks, true);
    return true;
  }

  #onLeader: (() => void) | null = null;

  #requestLock(locks: TabLocks, steal: boolean): void {
    let held = false;
    locks
      .request(
        `${this.#name}:leader`,
        () => {
          if (this.#closed) return Promise.resolve();
          held = true;
          this.#leader = true;
          this.#onLeader?.();
          return new Promise<void>((release) => (this.#releaseLeadership = release));
        },
        steal ? { steal: true } : undefined,
      )
      .catch(() => {
        // Our lock was taken over (or our queued request displaced): lead no more, queue again.
        if (this.#closed || !held) return;
        this.#leader = false;
        this.#releaseLeadership = null;
        this.#requestLock(locks, false);
      });
  }

  post(message: Payload<TabMessage>): void {
    if (this.#closed) return;
    try {
      this.#channel?.postMessage({ ...message, from: this.id });
    } catch {
      // A closed channel (the page is going away): nothing to tell.
    }
  }

  /** Leaves: releases the leader lock (the next tab takes over) and closes the channel. */
  close(): void {
    this.#closed = true;
    this.#leader = false;
    this.#releaseLeadership?.();
    this.#releaseLeadership = null;
    this.#releasePage?.();
    this.#releasePage = null;
    this.#channel?.close();
  }
}
