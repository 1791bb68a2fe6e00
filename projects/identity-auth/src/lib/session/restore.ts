/**
 * Start-up, a new tab or a reload: the store (if it persists) → the other tabs →
 * a silent authorize with the identity-session cookie → signed out.
 */
import { isIdentityAuthError } from 'b2trader.identity.auth/core';

import { backoffDelay, type BackoffPolicy } from './backoff';
import type { CrossTab } from './cross-tab';
import type { IdentityAuthPlatform } from '../platform/identity-auth-platform';
import type { SessionState } from './session-state';
import type { IdentityTokenRecord } from './token-record';
import type { IdentityTokenStore } from './token-store';

/** How long a new tab listens for its peers before it asks the identity service. */
export const PEER_ANSWER_MS = 150;

/** Silent authorize attempts at start-up when the identity service has a blip. */
export const RESTORE_ATTEMPTS = 3;
/** Shorter than a refresh's backoff: start-up is waiting (at most about 0.5 + 1 s, or Retry-After). */
const RESTORE_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 500, capMs: 4_000 });
/** A Retry-After longer than this ends restore signed out rather than hold the app's start. */
const MAX_RESTORE_PAUSE_MS = 10_000;

function pause(platform: IdentityAuthPlatform, ms: number): Promise<void> {
  return new Promise((resolve) => platform.setTimeout(resolve, ms));
}

/** What restore needs from the engine. */
export interface RestoreHost {
  readonly platform: IdentityAuthPlatform;
  readonly state: SessionState;
  readonly store: IdentityTokenStore;
  readonly tabs: CrossTab;
  /** Resolves when a peer tab answered `hello` with its state (adopted by the engine), or after `ms`. */
  askPeers(ms: number): Promise<void>;
  /** A silent authorize + code exchange with the identity-session cookie. */
  silentTokens(generation: number): Promise<IdentityTokenRecord>;
  publish(record: IdentityTokenRecord, cause: 'restore'): void;
  /** Revokes tokens no tab will hold. */
  revoke(record: IdentityTokenRecord): void;
  /** Takes a stored record as this tab's session (and schedules its refresh). */
  adopt(record: IdentityTokenRecord): void;
  /** The silent authorize failed transiently: every token request of this tab waits for the retry clock. */
  noteTransient(error: unknown): void;
  /** A sign-out mark is set: nothing is restored from the store or the cookie until a sign-in. */
  silentSignInStopped(): boolean;
}

export async function restoreSession(host: RestoreHost): Promise<void> {
  const { state } = host;
  try {
    if (!host.platform.isBrowser) return;
    let stored: IdentityTokenRecord | null = null;
    try {
      stored = host.silentSignInStopped() ? null : await host.store.load();
    } catch {
      stored = null;
    }
    if (stored) host.adopt(stored);
    // A duplicated tab's copied storage may be behind its original: the peers know better.
    if (await host.tabs.mayHavePeers()) await host.askPeers(PEER_ANSWER_MS);
    if (state.record()) return;
    // A session the other tabs hold (a sign-in after the mark) is adopted above; nothing else.
    for (let attempt = 0; !host.silentSignInStopped(); attempt += 1) {
      try {
        const record = await host.silentTokens(state.nextGeneration());
        // A session arrived meanwhile (a login here, another tab's answer): keep that one, and
        // leave no second grant alive at the service that no tab holds.
        // A sign-out meanwhile: it stands (the tokens are revoked too).
        if (state.record() || host.silentSignInStopped()) host.revoke(record);
        else host.publish(record, 'restore');
        return;
      } catch (err) {
        if (!isIdentityAuthError(err)) throw err;
        host.noteTransient(err);
        // No identity session (login_required): signed out, nothing to report. A blip (network,
        // timeout, 5xx, 429) is not the end of a session the cookie still holds: try again a few times.
        if (!err.transient || attempt + 1 >= RESTORE_ATTEMPTS || state.record()) return;
        const delay = backoffDelay(attempt, host.platform.random(), err.retryAfterMs, RESTORE_BACKOFF);
        if (delay > MAX_RESTORE_PAUSE_MS) return;
        await pause(host.platform, delay);
        if (state.record()) return;
      }
    }
  } finally {
    state.markRestored();
  }
}
