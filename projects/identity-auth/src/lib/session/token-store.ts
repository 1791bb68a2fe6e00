/**
 * Where a session's tokens live between page loads: memory (the default: nothing
 * at rest), `sessionStorage`, `localStorage`, or an app's own store.
 */
import { InjectionToken } from '@angular/core';

import type { IdentityAuthPlatform } from '../platform/identity-auth-platform';
import { type IdentityTokenRecord, parseRecord } from './token-record';

/**
 * A place for the session's tokens. Every method may be asynchronous: writes reach
 * the store one after another, in the order they were made. It is read only where
 * tabs can share a session (Web Locks and BroadcastChannel); other tabs' tokens
 * arrive over the channel, never through the store.
 *
 * @example
 * ```ts
 * class EncryptedStore implements IdentityTokenStore {
 *   load() { return decrypt(localStorage.getItem('tokens')); }
 *   save(record: IdentityTokenRecord) { localStorage.setItem('tokens', encrypt(record)); }
 *   clear() { localStorage.removeItem('tokens'); }
 * }
 * provideIdentityAuth(config, withTokenStore(new EncryptedStore()));
 * ```
 */
export interface IdentityTokenStore {
  load(): IdentityTokenRecord | null | Promise<IdentityTokenRecord | null>;
  save(record: IdentityTokenRecord): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** The default: tokens in this injector's memory only. A reload restores through the identity-session cookie. */
export class MemoryTokenStore implements IdentityTokenStore {
  #record: IdentityTokenRecord | null = null;
  load(): IdentityTokenRecord | null {
    return this.#record;
  }
  save(record: IdentityTokenRecord): void {
    this.#record = record;
  }
  clear(): void {
    this.#record = null;
  }
}

/** `sessionStorage` or `localStorage` under one key; a no-op where there is no storage (the server). */
export class WebStorageTokenStore implements IdentityTokenStore {
  readonly #platform: IdentityAuthPlatform;
  readonly #kind: 'session' | 'local';

  constructor(
    platform: IdentityAuthPlatform,
    kind: 'session' | 'local',
    readonly key: string,
  ) {
    this.#platform = platform;
    this.#kind = kind;
  }

  load(): IdentityTokenRecord | null {
    const text = this.#platform.storage(this.#kind)?.getItem(this.key);
    return text ? this.#parse(text) : null;
  }
  save(record: IdentityTokenRecord): void {
    try {
      this.#platform.storage(this.#kind)?.setItem(this.key, JSON.stringify(record));
    } catch {
      // A full or blocked storage: the session goes on in memory.
    }
  }
  clear(): void {
    this.#platform.storage(this.#kind)?.removeItem(this.key);
  }
  #parse(text: string): IdentityTokenRecord | null {
    try {
      return parseRecord(JSON.parse(text));
    } catch {
      return null;
    }
  }
}

/** The store an app chose with `withTokenStore()`, when it did. */
export const IDENTITY_TOKEN_STORE = new InjectionToken<IdentityTokenStore>(
  ngDevMode ? 'b2trader.identity.auth: token store' : '',
);

/** The storage key of a client's session on an identity service. */
export function storageKey(baseUrl: string, clientId: string): string {
  return `b2trader.identity.auth:${clientId}@${baseUrl}`;
}
