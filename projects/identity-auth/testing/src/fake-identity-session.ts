/**
 * The controllable session of `b2trader.identity.auth/testing`: it answers the
 * interceptor and the guard as the real engine does (one shared refresh, the current
 * token after a 401 for an older one, one typed error for every waiter when the
 * session ends), with no server, no storage, no timers and no other tabs.
 */
import { computed, signal } from '@angular/core';
import { type IdentitySession, SessionAccess } from 'b2trader.identity.auth';
import { CLIENT_SCOPES, IdentityAuthError } from 'b2trader.identity.auth/core';

import type { IdentityAuthTestingController } from './identity-auth-testing-controller';

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

export class FakeIdentitySession extends SessionAccess implements IdentityAuthTestingController {
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

  constructor(private readonly settings: FakeSessionSettings) {
    super();
  }

  // --- SessionAccess: what the interceptor and the guard ask ---

  whenRestored(): Promise<void> {
    return this.restored;
  }

  tokenForRequest(): Promise<string | null> {
    const session = this.state().session;
    if (!session || this.token === null) return Promise.resolve(null);
    return session.expiresAt <= Date.now() ? this.refresh() : Promise.resolve(this.token);
  }

  tokenAfterRejection(rejected: string): Promise<string> {
    if (this.token === null) return Promise.reject(defaultRefreshError(false));
    return this.token !== rejected ? Promise.resolve(this.token) : this.refresh();
  }

  // --- the controls ---

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
    const clientId = account.clientId ?? this.settings.clientId;
    const id = account.id ?? 'test-user';
    this.token = this.newToken();
    this.state.set({
      restored: true,
      session: {
        account: { id, email: account.email, nickname: account.nickname },
        subject: id,
        clientId,
        scope: scopesOf(account, clientId),
        expiresAt: Date.now() + this.settings.accessTokenLifetimeMs,
      },
    });
    this.finishRestoreNow();
  }

  signOut(): void {
    this.token = null;
    this.state.set({ restored: true, session: null });
    this.finishRestoreNow();
  }

  finishRestore(account: TestAccount | null = null): void {
    if (account) this.signInAs(account);
    else this.signOut();
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
    if (problems.length) throw new Error(`b2trader.identity.auth/testing: ${problems.join('; ')}`);
  }

  /** The one shared refresh: every caller meanwhile gets the same promise. */
  private refresh(): Promise<string> {
    if (this.refreshing) return this.refreshing;
    this.refreshes++;
    const run = Promise.resolve().then(() => {
      const failure = this.nextFailure;
      this.nextFailure = null;
      if (failure) {
        const error = failure.error ?? defaultRefreshError(!!failure.transient);
        if (!failure.transient) this.endSession();
        throw error;
      }
      const session = this.state().session;
      if (!session) throw defaultRefreshError(false);
      this.token = this.newToken();
      this.state.set({
        restored: true,
        session: { ...session, expiresAt: Date.now() + this.settings.accessTokenLifetimeMs },
      });
      return this.token;
    });
    this.refreshing = run;
    const clear = () => {
      if (this.refreshing === run) this.refreshing = null;
    };
    run.then(clear, clear);
    return run;
  }

  private endSession(): void {
    this.sessionEnds++;
    this.signOut();
  }

  private newToken(): string {
    return `test-access-token-${++this.generation}`;
  }
}
