/**
 * The controller a test injects to drive the fake session, the way
 * `HttpTestingController` drives the fake backend.
 */
import type { IdentityAuthEventOrigin } from 'b2trader.identity.auth';

import type { LoginAnswer, RefreshFailure, TestAccount } from './fake-identity-session';

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
  /**
   * Signs in (ending a pending restore): a fresh access token, the account's or the
   * client's scopes; `IdentityAuthService.events$` emits `signedIn`.
   */
  abstract signInAs(account?: TestAccount): void;
  /**
   * Signs out at once: no token, status `signed-out`, event `signedOut` (from
   * `'other-tab'` to play a sign-out in another tab).
   */
  abstract signOut(origin?: IdentityAuthEventOrigin): void;
  /** Ends a pending restore (option `restored: false`) signed in as `account`, or signed out. */
  abstract finishRestore(account?: TestAccount | null): void;
  /** The access token is expired: the next protected request first waits for one refresh. */
  abstract expireAccessToken(): void;
  /**
   * The next refresh fails: transiently (a `network` error, the session stays), or for
   * good (default: a `login_required` error for every waiting request, the session ends once).
   * Events: `refreshFailed`, then `sessionExpired` when the session ends.
   */
  abstract failNextRefresh(failure?: RefreshFailure): void;
  /**
   * How the next `IdentityAuthService.login()` (or `signIn()`) answers: another
   * account, a second factor, or an error such as `invalid_credentials`. Without it a
   * login signs in as `test-user` with the email given.
   */
  abstract answerNextLogin(answer: LoginAnswer): void;
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
  /** Throws when a refresh is still running or an armed `failNextRefresh()` / `answerNextLogin()` was never used. */
  abstract verify(): void;
}
