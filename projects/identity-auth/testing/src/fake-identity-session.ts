/**
 * The controllable session of `b2trader.identity.auth/testing`: it answers the
 * interceptor, the guard and the real `IdentityAuthService` as the engine does (one
 * shared refresh, the current token after a 401 for an older one, one typed error for
 * every waiter when the session ends, the same events), with no server, no storage,
 * no timers and no other tabs.
 */
import { computed, signal } from '@angular/core';
import {
  type IdentityAuthEvent,
  type IdentityAuthEventOrigin,
  type IdentitySession,
  ɵSessionDriver,
} from 'b2trader.identity.auth';
import {
  type AuthorizationResult,
  CLIENT_SCOPES,
  IdentityAuthError,
  type SignInResult,
} from 'b2trader.identity.auth/core';
import { Subject } from 'rxjs';

/** The account a test signs in as. Everything is optional. */
export interface TestAccount {
  /** The subject (`sub`) and account id. Default `test-user`. */
  readonly id?: string;
  readonly email?: string;
  readonly nickname?: string;
  /** Client id of the session. Default: the kit's `clientId` option, `spa` unless set. */
  readonly clientId?: string;
  /** Granted scopes (a space-separated string or a list). Default: the client's preset. */
  readonly scope?: string | readonly string[];
}

/** How the next refresh fails; see {@link FakeIdentitySession.failNextRefresh}. */
export interface RefreshFailure {
  /** `true`: a network failure, the session stays. Default `false`: the session ends. */
  readonly transient?: boolean;
  /** The error to fail with instead of the default one of that kind. */
  readonly error?: IdentityAuthError;
}

/** How the next `login()` / `signIn()` answers; see {@link FakeIdentitySession.answerNextLogin}. */
export interface LoginAnswer {
  /** The account it signs in as. Default: `test-user` with the email the app gave. */
  readonly account?: TestAccount;
  /** The account has a second factor: `login()` stops at `second-factor-required` until `continueLogin()`. */
  readonly secondFactor?: boolean;
  /** The sign-in fails with this error (e.g. `invalid_credentials`) instead. */
  readonly error?: IdentityAuthError;
}

/** Settings of the fake session, from the kit's options. */
export interface FakeSessionSettings {
  readonly clientId: string;
  readonly accessTokenLifetimeMs: number;
}

function scopesOf(account: TestAccount, clientId: string): string[] {
  const scope = account.scope ?? (CLIENT_SCOPES as Record<string, string>)[clientId] ?? 'openid offline_access';
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [...scope];
}

function defaultRefreshError(transient: boolean): IdentityAuthError {
  return transient
    ? new IdentityAuthError('network', 'refresh failed: the identity service could not be reached (test).', {
        step: 'refresh',
      })
    : new IdentityAuthError('login_required', 'the session has ended: the refresh was refused (test). Sign in again.', {
        step: 'refresh',
        code: 'invalid_grant',
      });
}

export class FakeIdentitySession extends ɵSessionDriver {
  private readonly state = signal<{ session: IdentitySession | null; restored: boolean }>({
    session: null,
    restored: false,
  });
  readonly session = computed(() => this.state().session);
  readonly status = computed(() =>
    !this.state().restored ? 'unknown' : this.state().session ? 'signed-in' : 'signed-out',
  );

  private token: string | null = null;
  private generation = 0;
  private refreshing: Promise<string> | null = null;
  private nextFailure: RefreshFailure | null = null;
  private finishRestoreNow!: () => void;
  private readonly restored = new Promise<void>((resolve) => (this.finishRestoreNow = resolve));
  private refreshes = 0;
  private sessionEnds = 0;
  private nextLogin: LoginAnswer | null = null;
  private pendingAccount: TestAccount | null = null;
  private readonly eventStream = new Subject<IdentityAuthEvent>();
  readonly events = this.eventStream.asObservable();

  constructor(private readonly settings: FakeSessionSettings) {
    super();
  }

  // --- SessionAccess: what the interceptor and the guard ask ---

  whenRestored(): Promise<void> {
    return this.restored;
  }

  override tokenAtHand(): string | undefined {
    const session = this.state().session;
    return session && this.token !== null && session.expiresAt > Date.now() ? this.token : undefined;
  }

  tokenForRequest(): Promise<string | null> {
    const session = this.state().session;
    if (!session || this.token === null) return Promise.resolve(null);
    return session.expiresAt <= Date.now() ? this.refreshToken() : Promise.resolve(this.token);
  }

  tokenAfterRejection(rejected: string): Promise<string> {
    if (this.token === null) return Promise.reject(defaultRefreshError(false));
    return this.token !== rejected ? Promise.resolve(this.token) : this.refreshToken();
  }

  // --- ɵSessionDriver: what the real IdentityAuthService asks ---

  start(): Promise<void> {
    return this.restored;
  }

  async signIn(email: string, _password: string, signal?: AbortSignal): Promise<SignInResult> {
    signal?.throwIfAborted();
    const answer = this.nextLogin ?? {};
    this.nextLogin = null;
    if (answer.error) throw answer.error;
    const account = { id: 'test-user', email, ...answer.account };
    this.pendingAccount = account;
    return {
      secondFactorRequired: !!answer.secondFactor,
      account: { id: account.id, email: account.email ?? email, nickname: account.nickname ?? '' },
      headers: new Headers(),
      cookies: [],
    };
  }

  async authorize(signal?: AbortSignal): Promise<AuthorizationResult> {
    signal?.throwIfAborted();
    if (!this.pendingAccount && !this.state().session)
      throw new IdentityAuthError('login_required', 'there is no identity session (test): sign in first.', {
        step: 'authorize',
      });
    const code = `test-code-${++this.generation}`;
    const redirectUri = 'http://localhost/';
    return {
      code,
      request: { url: new URL(redirectUri), state: 'test', nonce: 'test', codeVerifier: 'test', redirectUri },
      parameters: new URLSearchParams({ code }),
    };
  }

  async exchange(_result: AuthorizationResult, signal?: AbortSignal): Promise<IdentitySession> {
    signal?.throwIfAborted();
    const account = this.pendingAccount ?? { id: this.state().session?.subject };
    this.pendingAccount = null;
    this.begin(account, 'login');
    return this.state().session!;
  }

  async refresh(): Promise<IdentitySession> {
    await this.refreshToken();
    return this.state().session!;
  }

  async signOut(): Promise<boolean> {
    this.end({ type: 'signedOut', at: Date.now(), origin: 'this-tab', serverNotified: true });
    return true;
  }

  machineToMachineSignIn(): Promise<IdentitySession> {
    return Promise.reject(
      new TypeError('b2trader.identity.auth/testing: machineToMachineSignIn() has no fake; use signInAs().'),
    );
  }

  // --- the controls (IdentityAuthTestingController delegates here) ---

  get refreshCount(): number {
    return this.refreshes;
  }

  get sessionEndCount(): number {
    return this.sessionEnds;
  }

  accessToken(): string | null {
    return this.token;
  }

  signInAs(account: TestAccount = {}): void {
    this.begin(account, 'login');
  }

  /** Signs out at once, as a sign-out in this or another tab does: event `signedOut`. */
  signOutNow(origin: IdentityAuthEventOrigin = 'this-tab'): void {
    const wasSignedIn = this.state().session !== null;
    this.end(wasSignedIn ? { type: 'signedOut', at: Date.now(), origin, serverNotified: true } : null);
  }

  finishRestore(account: TestAccount | null = null): void {
    if (account) this.begin(account, 'restore');
    else this.end(null);
  }

  expireAccessToken(): void {
    const session = this.state().session;
    if (!session)
      throw new Error('b2trader.identity.auth/testing: expireAccessToken() needs a session: call signInAs() first');
    this.state.set({ restored: true, session: { ...session, expiresAt: Date.now() - 1 } });
  }

  failNextRefresh(failure: RefreshFailure = {}): void {
    this.nextFailure = failure;
  }

  answerNextLogin(answer: LoginAnswer): void {
    this.nextLogin = answer;
  }

  async settle(): Promise<void> {
    for (;;) {
      // one macrotask turn lets every promise continuation (the interceptor's included) run
      await new Promise<void>((resolve) => setTimeout(resolve));
      const running = this.refreshing;
      if (!running) return;
      await running.catch(() => undefined);
    }
  }

  verify(): void {
    const problems: string[] = [];
    if (this.refreshing) problems.push('a refresh is still running (await settle() first)');
    if (this.nextFailure) problems.push('failNextRefresh() was armed but no refresh happened');
    if (this.nextLogin) problems.push('answerNextLogin() was armed but no login happened');
    if (problems.length) throw new Error(`b2trader.identity.auth/testing: ${problems.join('; ')}`);
  }

  /** A new session (fresh token) for `account`, ending a pending restore. */
  private begin(account: TestAccount, via: 'login' | 'restore'): void {
    const clientId = account.clientId ?? this.settings.clientId;
    const id = account.id ?? 'test-user';
    this.token = this.newToken();
    const session: IdentitySession = {
      account: { id, email: account.email, nickname: account.nickname },
      subject: id,
      clientId,
      scope: scopesOf(account, clientId),
      expiresAt: Date.now() + this.settings.accessTokenLifetimeMs,
    };
    this.state.set({ restored: true, session });
    this.finishRestoreNow();
    this.eventStream.next({ type: 'signedIn', at: Date.now(), origin: 'this-tab', via, session });
  }

  /** No session (ending a pending restore); `event` says why, if anyone should hear. */
  private end(event: IdentityAuthEvent | null): void {
    this.token = null;
    this.pendingAccount = null;
    this.state.set({ restored: true, session: null });
    this.finishRestoreNow();
    if (event) this.eventStream.next(event);
  }

  /** The one shared refresh: every caller meanwhile gets the same promise. */
  private refreshToken(): Promise<string> {
    if (this.refreshing) return this.refreshing;
    this.refreshes++;
    const run = Promise.resolve().then(() => {
      const failure = this.nextFailure;
      this.nextFailure = null;
      const session = this.state().session;
      if (!session) throw defaultRefreshError(false);
      if (failure) {
        const transient = !!failure.transient;
        const error = failure.error ?? defaultRefreshError(transient);
        const at = Date.now();
        this.eventStream.next({
          type: 'refreshFailed',
          at,
          origin: 'this-tab',
          transient,
          error,
          ...(transient ? { retryInMs: 1_000 } : {}),
        });
        if (!transient) {
          this.sessionEnds++;
          this.end({ type: 'sessionExpired', at, origin: 'this-tab', error });
        }
        throw error;
      }
      this.token = this.newToken();
      const refreshed = { ...session, expiresAt: Date.now() + this.settings.accessTokenLifetimeMs };
      this.state.set({ restored: true, session: refreshed });
      this.eventStream.next({ type: 'refreshed', at: Date.now(), origin: 'this-tab', session: refreshed });
      return this.token;
    });
    this.refreshing = run;
    const clear = () => {
      if (this.refreshing === run) this.refreshing = null;
    };
    run.then(clear, clear);
    return run;
  }

  private newToken(): string {
    return `test-access-token-${++this.generation}`;
  }
}
