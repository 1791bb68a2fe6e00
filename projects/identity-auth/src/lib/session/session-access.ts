/**
 * What the HTTP edge (interceptor, guard) asks of the session engine, and nothing
 * more. The engine behind `IdentityAuthService` implements it; so does the fake
 * session of `b2trader.identity.auth/testing`. The edge never refreshes on its own.
 */
import { InjectionToken, type Signal } from '@angular/core';

/** `unknown` until start-up's restore has finished, then `signed-in` or `signed-out`. */
export type IdentityAuthStatus = 'unknown' | 'signed-in' | 'signed-out';

/** The signed-in session as components see it. Never holds a token. */
export interface IdentitySession {
  /** The account sign-in returned; after a silent restore only `id` (the subject) may be known. */
  readonly account: { readonly id: string; readonly email?: string; readonly nickname?: string };
  /** The id_token's `sub`. */
  readonly subject: string;
  readonly clientId: string;
  /** Granted scopes. */
  readonly scope: readonly string[];
  /** Local time (ms since epoch) at which the current access token expires. */
  readonly expiresAt: number;
}

/** The engine's face towards the interceptor and the guard. */
export abstract class SessionAccess {
  /** `unknown` until restore has finished. */
  abstract readonly status: Signal<IdentityAuthStatus>;
  /** The current session, or null. */
  abstract readonly session: Signal<IdentitySession | null>;
  /** Resolves once start-up's restore has finished (at once when it has). Never rejects. */
  abstract whenRestored(): Promise<void>;
  /**
   * A token to attach to a request now: the current one, or — when it is expired or
   * inside the refresh lead — the one the single shared refresh (in the leader tab)
   * produces. `null` when signed out. Rejects with an `IdentityAuthError` only when
   * the refresh ends the session, or — with a `transient` one — when the token has
   * expired and the refresh failed transiently (the session stays; the refresh is
   * retried with backoff). While the token has not expired, a transient failure
   * resolves to the current token.
   */
  abstract tokenForRequest(): Promise<string | null>;
  /**
   * The current token when it can be attached at once — not expired, not inside the
   * refresh lead — so that the common request skips a promise; `undefined` means "ask
   * {@link tokenForRequest}". Never refreshes. The default knows nothing.
   */
  tokenAtHand(): string | undefined {
    return undefined;
  }
  /**
   * The API answered 401 to a request that carried `rejected`. If the current token
   * is already another one, resolves to it at once; otherwise joins or starts the one
   * shared refresh and resolves to its token. Rejects with the same `IdentityAuthError`
   * for every waiting caller when the refresh ends the session, and with the transient
   * one when the refresh failed transiently (the session stays).
   */
  abstract tokenAfterRejection(rejected: string): Promise<string>;
}

/** What the interceptor and the guard need from the configuration, resolved at start-up. */
export interface IdentityAuthHttpSettings {
  /** `config.apis` as given (absolute origins with optional path prefixes, or path prefixes on the document's origin). */
  readonly apis: readonly string[];
  /** The identity service's base URL, absolute (`<url>`; its endpoints live under `<url>/identity`). */
  readonly identityBaseUrl: string;
  /** Requests to protected APIs wait for restore() before they go out. */
  readonly waitForRestore: boolean;
}

export const IDENTITY_AUTH_HTTP_SETTINGS = new InjectionToken<IdentityAuthHttpSettings>(
  ngDevMode ? 'b2trader.identity.auth: HTTP settings' : '',
);

/** The settings and the session of one injector together: the interceptor's one look-up per request. */
export interface IdentityAuthHttpEdge {
  readonly settings: IdentityAuthHttpSettings;
  readonly session: SessionAccess;
}

export const IDENTITY_AUTH_HTTP_EDGE = new InjectionToken<IdentityAuthHttpEdge>(
  ngDevMode ? 'b2trader.identity.auth: HTTP edge' : '',
);
