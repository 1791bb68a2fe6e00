/**
 * The controller a test injects to drive the fake session, the way
 * `HttpTestingController` drives the fake backend.
 */
import type { RefreshFailure, TestAccount } from './fake-identity-session';

/**
 * Drives the fake session of {@link provideIdentityAuthTesting}.
 *
 * @example
 * ```ts
 * const identity = TestBed.inject(IdentityAuthTestingController);
 * identity.signInAs({ email: 'trader@example.com' });
 * identity.expireAccessToken();
 * identity.failNextRefresh({ transient: true });
 * ```
 */
export abstract class IdentityAuthTestingController {
  /** Signs in (ending a pending restore): a fresh access token, the account's or the client's scopes. */
  abstract signInAs(account?: TestAccount): void;
  /** Signs out at once: no token, status `signed-out`. */
  abstract signOut(): void;
  /** Ends a pending restore (option `restored: false`) signed in as `account`, or signed out. */
  abstract finishRestore(account?: TestAccount | null): void;
  /** The access token is expired: the next protected request first waits for one refresh. */
  abstract expireAccessToken(): void;
  /**
   * The next refresh fails: transiently (a `network` error, the session stays), or for
   * good (default: a `login_required` error for every waiting request, the session ends once).
   */
  abstract failNextRefresh(failure?: RefreshFailure): void;
  /** The current access token, to compare with the `Authorization` header; `null` signed out. */
  abstract accessToken(): string | null;
  /** How many refreshes have run. */
  abstract readonly refreshCount: number;
  /** How many times a failed refresh has ended the session. */
  abstract readonly sessionEndCount: number;
  /**
   * Resolves once no refresh is running and every request waiting for a token has been
   * passed on to the backend: call it before `HttpTestingController.expectOne()`.
   */
  abstract settle(): Promise<void>;
  /** Throws when a refresh is still running or an armed `failNextRefresh()` was never used. */
  abstract verify(): void;
}
