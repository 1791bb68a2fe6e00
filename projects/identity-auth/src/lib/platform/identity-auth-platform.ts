/**
 * The one seam through which the session engine touches the browser: clock,
 * timers, Web Storage, Web Locks, BroadcastChannel and window events. On the
 * server platform every member is inert, so nothing of the browser is touched;
 * tests swap single members.
 *
 * In the browser every callback is set up outside Angular's zone: with zone.js a
 * pending timer keeps the app from ever becoming stable, and every heartbeat or
 * message would run change detection. State the app reads goes back into the zone
 * where it changes (SessionState).
 */
import { DOCUMENT, isPlatformBrowser } from '@angular/common';
import { inject, Injectable, NgZone, PLATFORM_ID } from '@angular/core';

import { documentBaseUri } from './document-base-uri';
import { IndexedDbRefreshFence, LocalRefreshFence, type RefreshFence } from '../session/refresh-fence';

/** A cancel function for a timer or a listener. */
export type Cancel = () => void;

/** The subset of BroadcastChannel the engine uses. */
export interface TabChannel {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** The subset of the Web Locks API the engine uses. */
export interface TabLocks {
  /** `steal`: take the lock from its holder (whose request then rejects). */
  request(name: string, callback: () => Promise<void>, options?: { steal?: boolean }): Promise<void>;
  /** The names of the locks held now (by any tab of the origin). */
  held(): Promise<string[]>;
}

/** What the engine may touch of its environment. Picked from `PLATFORM_ID` unless a test provides its own. */
@Injectable({ providedIn: 'root', useFactory: () => platformFromInjector() })
export abstract class IdentityAuthPlatform {
  /** False on the server: the session stays signed out and no timer, storage or channel is used. */
  abstract readonly isBrowser: boolean;
  /** The document's base URI (resolves a path-only `url`), when there is a document. */
  abstract readonly baseUri: string | undefined;
  abstract now(): number;
  abstract random(): number;
  abstract setTimeout(callback: () => void, ms: number): Cancel;
  abstract setInterval(callback: () => void, ms: number): Cancel;
  /** `sessionStorage` or `localStorage`, or null where there is none (or it throws, as in some privacy modes). */
  abstract storage(kind: 'session' | 'local'): Storage | null;
  abstract locks(): TabLocks | null;
  abstract openChannel(name: string): TabChannel | null;
  /** Listens to a window event (`online`, `storage`, `visibilitychange`, `pageshow`). */
  abstract listen(event: string, callback: (event: Event) => void): Cancel;
  /** Where tabs claim refresh-token presentations (see {@link RefreshFence}); this tab's own claims by default. */
  refreshFence(_name: string): RefreshFence {
    return new LocalRefreshFence(() => this.now());
  }
}

const noop: Cancel = () => undefined;

/** Runs `work` where its timers and listeners trigger no change detection (outside Angular's zone). */
export type RunOutsideAngular = <T>(work: () => T) => T;

const runHere: RunOutsideAngular = (work) => work();

/** The browser: the real globals. */
export class BrowserIdentityAuthPlatform extends IdentityAuthPlatform {
  readonly isBrowser = true;
  readonly #window: Window & typeof globalThis;
  readonly #outside: RunOutsideAngular;
  constructor(
    window: Window & typeof globalThis,
    readonly baseUri: string | undefined,
    outside: RunOutsideAngular = runHere,
  ) {
    super();
    this.#window = window;
    this.#outside = outside;
  }
  now(): number {
    return Date.now();
  }
  random(): number {
    return Math.random();
  }
  setTimeout(callback: () => void, ms: number): Cancel {
    const id = this.#outside(() => this.#window.setTimeout(callback, Math.min(Math.max(0, ms), 2 ** 31 - 1)));
    return () => this.#window.clearTimeout(id);
  }
  setInterval(callback: () => void, ms: number): Cancel {
    const id = this.#outside(() => this.#window.setInterval(callback, ms));
    return () => this.#window.clearInterval(id);
  }
  storage(kind: 'session' | 'local'): Storage | null {
    try {
      return kind === 'session' ? this.#window.sessionStorage : this.#window.localStorage;
    } catch {
      return null;
    }
  }
  locks(): TabLocks | null {
    const locks = this.#window.navigator?.locks;
    const outside = this.#outside;
    return locks
      ? {
          request: (name, callback, options) =>
            outside(async () => void (await locks.request(name, options ?? {}, () => outside(callback)))),
          held: async () => ((await locks.query()).held ?? []).map((lock) => lock.name ?? ''),
        }
      : null;
  }
  openChannel(name: string): TabChannel | null {
    if (typeof this.#window.BroadcastChannel !== 'function') return null;
    return this.#outside(() => listenedHere(new this.#window.BroadcastChannel(name)));
  }
  listen(event: string, callback: (event: Event) => void): Cancel {
    this.#outside(() => this.#window.addEventListener(event, callback));
    return () => this.#window.removeEventListener(event, callback);
  }
  override refreshFence(name: string): RefreshFence {
    let factory: IDBFactory | undefined;
    try {
      factory = this.#window.indexedDB ?? undefined;
    } catch {
      factory = undefined; // some privacy modes throw on access
    }
    return factory
      ? new IndexedDbRefreshFence(factory, name, () => this.now())
      : new LocalRefreshFence(() => this.now());
  }
}

/**
 * `channel` with its one listener added now (outside Angular's zone, where this runs); its
 * `onmessage` only names the handler that listener calls, so setting it later (in any zone) changes nothing.
 */
function listenedHere(channel: BroadcastChannel): BroadcastChannel {
  let handler: TabChannel['onmessage'] = null;
  channel.addEventListener('message', (event) => handler?.(event));
  Object.defineProperty(channel, 'onmessage', {
    configurable: true,
    get: () => handler,
    set: (next: TabChannel['onmessage']) => (handler = next),
  });
  return channel;
}

/** The server platform (SSR): nothing to touch, nothing scheduled. */
export class ServerIdentityAuthPlatform extends IdentityAuthPlatform {
  readonly isBrowser = false;
  readonly baseUri: string | undefined;
  constructor(baseUri?: string) {
    super();
    this.baseUri = baseUri;
  }
  now(): number {
    return Date.now();
  }
  random(): number {
    return Math.random();
  }
  setTimeout(): Cancel {
    return noop;
  }
  setInterval(): Cancel {
    return noop;
  }
  storage(): null {
    return null;
  }
  locks(): null {
    return null;
  }
  openChannel(): null {
    return null;
  }
  listen(): Cancel {
    return noop;
  }
}

/** Picks the platform from `PLATFORM_ID`; in the browser, callbacks run outside the app's `NgZone` (if any). */
export function platformFromInjector(): IdentityAuthPlatform {
  const document = inject(DOCUMENT, { optional: true });
  const baseUri = documentBaseUri(document);
  if (!isPlatformBrowser(inject(PLATFORM_ID))) {
    // The server's document may know the request URL; nothing else of it is used.
    return new ServerIdentityAuthPlatform(baseUri);
  }
  const view = document?.defaultView as (Window & typeof globalThis) | null | undefined;
  const zone = inject(NgZone, { optional: true });
  return new BrowserIdentityAuthPlatform(
    view ?? (globalThis as Window & typeof globalThis),
    baseUri,
    zone ? (work) => zone.runOutsideAngular(work) : runHere,
  );
}
