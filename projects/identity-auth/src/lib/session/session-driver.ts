/**
 * What `IdentityAuthService` asks of the session engine: the interceptor's
 * {@link SessionAccess}, plus the login steps, restore, refresh, sign-out and the
 * events. The engine implements it; so does the fake session of
 * `b2trader.identity.auth/testing`, so that an app's tests get the real service
 * (the same public API, the same login chain) over a session they control.
 */
import type { AuthorizationResult, passwordGrant, SignInResult } from 'b2trader.identity.auth/core';
import type { Observable } from 'rxjs';

import type { IdentityAuthEvent } from './identity-auth-events';
import { type IdentitySession, SessionAccess } from './session-access';

export abstract class SessionDriver extends SessionAccess {
  /** Every event, as it happens. */
  abstract readonly events: Observable<IdentityAuthEvent>;
  /** Resolves the configuration and restores the session. Idempotent. */
  abstract start(): Promise<void>;
  abstract signIn(email: string, password: string, signal?: AbortSignal): Promise<SignInResult>;
  abstract authorize(signal?: AbortSignal): Promise<AuthorizationResult>;
  abstract exchange(result: AuthorizationResult, signal?: AbortSignal): Promise<IdentitySession>;
  /** One coordinated refresh (joins a running one). */
  abstract refresh(): Promise<IdentitySession>;
  /** Ends the session everywhere; resolves whether the identity service could be told. */
  abstract signOut(): Promise<boolean>;
  /** Runs the password grant (given by `withMachineToMachine()`) and adopts its tokens. */
  abstract machineToMachineSignIn(
    grant: typeof passwordGrant,
    login: string,
    password: string,
    signal: AbortSignal,
  ): Promise<IdentitySession>;
}
