/**
 * Start-up, a new tab or a reload: the store (if it persists) → the other tabs →
 * a silent authorize with the identity-session cookie → signed out.
 */
import { isIdentityAuthError } from 'b2trader.identity.auth/core';

import type { CrossTab } from './cross-tab';
import type { IdentityAuthPlatform } from './identity-auth-platform';
import type { SessionState } from './session-state';
import type { IdentityTokenRecord } from './token-record';
import type { IdentityTokenStore } from './token-store';

/** How long a new tab listens for its peers before it asks the identity service. */
export const PEER_ANSWER_MS = 150;

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
}

export async function restoreSession(host: RestoreHost): Promise<void> {
  const { state } = host;
  try {
    if (!host.platform.isBrowser) return;
    let stored: IdentityTokenRecord | null = null;
    try {
      stored = await host.store.load();
    } catch {
      stored = null;
    }
    if (stored) state.adopt(stored, 'restore', 'this-tab');
    // A duplicated tab's copied storage may be behind its original: the peers know better.
    if (await host.tabs.mayHavePeers()) await host.askPeers(PEER_ANSWER_MS);
    if (state.record()) return;
    try {
      host.publish(await host.silentTokens(state.nextGeneration()), 'restore');
    } catch (err) {
      // No identity session (login_required) or the service is unreachable: signed out, nothing to report.
      if (!isIdentityAuthError(err)) throw err;
    }
  } finally {
    state.markRestored();
  }
}
