/**
 * What happens to the session, as a typed union for `IdentityAuthService.events$`.
 * Events never carry a token.
 */
import type { IdentityAuthError } from 'b2trader.identity.auth/core';

import type { IdentitySession } from './session-access';

/** Which tab caused an event: this one, or another tab of the same origin. */
export type IdentityAuthEventOrigin = 'this-tab' | 'other-tab';

interface EventBase {
  /** Local time (ms since epoch). */
  readonly at: number;
  readonly origin: IdentityAuthEventOrigin;
}

/** A session began: a login, a restore (stored tokens, a peer tab, or the identity-session cookie). */
export interface SignedInEvent extends EventBase {
  readonly type: 'signedIn';
  readonly via: 'login' | 'restore';
  readonly session: IdentitySession;
}

/** New tokens for the same session (a refresh, or a silent re-authorize that healed a spent grant). */
export interface RefreshedEvent extends EventBase {
  readonly type: 'refreshed';
  readonly session: IdentitySession;
}

/** A refresh failed. `transient`: the session stays and the refresh is retried in `retryInMs`. */
export interface RefreshFailedEvent extends EventBase {
  readonly type: 'refreshFailed';
  readonly transient: boolean;
  readonly error: IdentityAuthError;
  readonly retryInMs?: number;
}

/** The session ended without a sign-out: the grant and the identity session are gone, or the subject changed. */
export interface SessionExpiredEvent extends EventBase {
  readonly type: 'sessionExpired';
  readonly error?: IdentityAuthError;
}

/**
 * The user signed out. In the tab that signed out, `serverNotified` says whether the
 * identity service heard it (when not, `signOutConfirmed` follows once it does); other
 * tabs end before the service answers, so theirs is false.
 */
export interface SignedOutEvent extends EventBase {
  readonly type: 'signedOut';
  readonly serverNotified: boolean;
}

/**
 * A sign-out that the identity service could not be told at the time (`signedOut` with
 * `serverNotified: false`) has now reached it: the identity session is over there too
 * and the refresh tokens this browser held are revoked.
 */
export interface SignOutConfirmedEvent extends EventBase {
  readonly type: 'signOutConfirmed';
}

export type IdentityAuthEvent =
  SignedInEvent | RefreshedEvent | RefreshFailedEvent | SessionExpiredEvent | SignedOutEvent | SignOutConfirmedEvent;
