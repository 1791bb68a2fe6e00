/**
 * The session engine behind `IdentityAuthService` and the interceptor: injection,
 * the configuration (a config factory resolves lazily), the lifecycle, and the
 * login steps. The running session — store, tabs, refresh, restore, sign-out —
 * belongs to the {@link ActiveSession} built once the configuration is resolved.
 */
import { DestroyRef, inject, Injectable, Injector, runInInjectionContext } from '@angular/core';
import {
  type AuthorizationResult,
  authorize,
  exchangeCode,
  IdentityAuthError,
  isIdentityAuthError,
  type passwordGrant,
  signIn,
  type SignInResult,
  type TokenSet,
} from 'b2trader.identity.auth/core';

import {
  IDENTITY_AUTH_CONFIG_SOURCE,
  type IdentityAuthConfig,
  resolveIdentityAuthConfig,
  type ResolvedIdentityAuthConfig,
} from '../identity-auth-config';
import { ActiveSession } from './active-session';
import { IdentityAuthPlatform } from '../platform/identity-auth-platform';
import { needsRefresh } from './refresh-schedule';
import type { IdentitySession } from './session-access';
import { SessionDriver } from './session-driver';
import { SESSION_ERROR_CODES } from './session-error-codes';
import { SessionState } from './session-state';
import { sessionFromRecord } from './token-record';
import { IDENTITY_TOKEN_STORE } from './token-store';

function destroyedError(): IdentityAuthError {
  return new IdentityAuthError('login_required', ngDevMode ? 'the injector of this session was destroyed.' : '', {
    code: SESSION_ERROR_CODES.signedOut,
  });
}

@Injectable()
export class SessionEngine extends SessionDriver {
  readonly #state = inject(SessionState);
  readonly #platform = inject(IdentityAuthPlatform);
  readonly #injector = inject(Injector);
  readonly #source = inject(IDENTITY_AUTH_CONFIG_SOURCE);
  readonly #featureStore = inject(IDENTITY_TOKEN_STORE, { optional: true });

  readonly status = this.#state.status;
  readonly session = this.#state.session;
  readonly events = this.#state.events;

  #active: ActiveSession | null = null;
  #starting: Promise<ActiveSession> | null = null;
  #restoring: Promise<void> | null = null;
  readonly #restored: Promise<void>;
  #markRestored!: () => void;
  #pendingAccount: SignInResult['account'] | null = null;
  /** When the running login began (its sign-in step, else its authorize). */
  #loginStartedAt: number | null = null;
  #destroyed = false;

  constructor() {
    super();
    this.#restored = new Promise<void>((resolve) => (this.#markRestored = resolve));
    // The server restores nothing (no storage, no cookie): signed out from the start, also with
    // withManualRestore(), so that the guard answers there instead of waiting for a restore.
    if (!this.#platform.isBrowser) {
      this.#state.markRestored();
      this.#markRestored();
    }
    // A config object is checked here, at injection: a wrong option fails start-up with its name.
    if (typeof this.#source !== 'function') this.#active = this.#run(this.#resolve(this.#source));
    inject(DestroyRef).onDestroy(() => this.#destroy());
  }

  /** The resolved configuration, once start-up has resolved it (a config factory may still be running). */
  get config(): ResolvedIdentityAuthConfig | null {
    return this.#active?.config ?? null;
  }

  /** Resolves the configuration (running its factory) and restores the session. Idempotent. */
  start(): Promise<void> {
    this.#restoring ??= this.ready()
      .then((active) => active.restore())
      .catch((err) => {
        this.#state.markRestored();
        // Destroyed before the config factory finished: nothing was started, nothing to report.
        if (!this.#destroyed) throw err;
      })
      .finally(() => this.#markRestored());
    return this.#restoring;
  }

  /**
   * What the app initializer waits for: restore, but no longer than one request's
   * time limit, so that a slow identity service delays the first render by one round
   * trip at most. Restore goes on meanwhile with status `unknown` (the guard and
   * requests that wait for restore keep waiting); a bad config still fails start-up.
   */
  async startBeforeRender(): Promise<void> {
    const restoring = this.start();
    const { config } = await this.ready();
    if (!this.#platform.isBrowser) return restoring;
    return new Promise<void>((resolve, reject) => {
      const cancel = this.#platform.setTimeout(resolve, config.client.timeoutMs);
      restoring.then(
        () => (cancel(), resolve()),
        (err: unknown) => (cancel(), reject(err)),
      );
    });
  }

  whenRestored(): Promise<void> {
    return this.#restored;
  }

  override tokenAtHand(): string | undefined {
    const record = this.#state.record();
    if (!record || !this.#active) return undefined;
    return needsRefresh(this.#platform.now(), record.receivedAt, record.expiresAt, this.#active.config.refresh)
      ? undefined
      : record.accessToken;
  }

  async tokenForRequest(): Promise<string | null> {
    const record = this.#state.record();
    if (!record || !this.#active) return null;
    const { coordinator, config } = this.#active;
    if (!needsRefresh(this.#platform.now(), record.receivedAt, record.expiresAt, config.refresh))
      return record.accessToken;
    try {
      return (await coordinator.refresh()).accessToken;
    } catch (err) {
      // A blip (or its backoff): the current token still works until it expires.
      const current = this.#state.record();
      if (isIdentityAuthError(err) && err.transient && current && current.expiresAt > this.#platform.now())
        return current.accessToken;
      throw err;
    }
  }

  async tokenAfterRejection(rejected: string): Promise<string> {
    return (await this.ready()).tokenAfterRejection(rejected);
  }

  /** Step 1: email and password for the identity-session cookie. */
  async signIn(email: string, password: string, signal?: AbortSignal): Promise<SignInResult> {
    const active = await this.ready();
    const startedAt = this.#platform.now();
    const result = await signIn(active.config.client, email, password, { signal });
    active.signedIn(startedAt);
    this.#pendingAccount = result.account;
    this.#loginStartedAt = startedAt;
    return result;
  }

  /** Step 2: a code for the identity session (the browser's cookie). */
  async authorize(signal?: AbortSignal): Promise<AuthorizationResult> {
    const { config } = await this.ready();
    this.#loginStartedAt ??= this.#platform.now();
    return authorize(config.client, { signal });
  }

  /** Step 3: the code for tokens, which become the session in every tab. */
  async exchange(result: AuthorizationResult, signal?: AbortSignal): Promise<IdentitySession> {
    const active = await this.ready();
    const startedAt = this.#loginStartedAt;
    this.#loginStartedAt = null;
    const tokens = await exchangeCode(active.config.client, result, { signal });
    // A sign-out that came while this login ran wins over it.
    if (startedAt !== null && active.signedOutSince(startedAt)) active.cancelLogin(tokens);
    const subject = tokens.idTokenClaims?.sub;
    const account =
      this.#pendingAccount && (!subject || this.#pendingAccount.id === subject) ? this.#pendingAccount : undefined;
    return sessionFromRecord(active.begin(tokens, account));
  }

  /** The account of a sign-in whose chain has not finished (second factor pending). */
  get pendingSignIn(): SignInResult['account'] | null {
    return this.#pendingAccount;
  }

  /** One coordinated refresh (joins a running one). */
  async refresh(): Promise<IdentitySession> {
    const active = await this.ready();
    return sessionFromRecord(await active.coordinator.refresh());
  }

  /**
   * Ends the session in every tab at once, and at the identity service (refresh token
   * revoked, identity session ended) now or as soon as it can be reached. Resolves
   * whether the service heard it now.
   */
  async signOut(): Promise<boolean> {
    const active = await this.ready();
    this.#pendingAccount = null;
    return active.signOut();
  }

  /** Adopts tokens from another source (the machine-to-machine grant) as this tab's session. */
  async adoptTokens(tokens: TokenSet): Promise<IdentitySession> {
    return sessionFromRecord((await this.ready()).begin(tokens));
  }

  async machineToMachineSignIn(
    grant: typeof passwordGrant,
    login: string,
    password: string,
    signal: AbortSignal,
  ): Promise<IdentitySession> {
    const { config } = await this.ready();
    return this.adoptTokens(await grant(config.client, login, password, { signal }));
  }

  /** The running session; waits for a config factory. Rejects once the injector is destroyed. */
  async ready(): Promise<ActiveSession> {
    if (this.#destroyed) throw destroyedError();
    if (this.#active) return this.#active;
    this.#starting ??= (async () => {
      const factory = this.#source as () => IdentityAuthConfig | Promise<IdentityAuthConfig>;
      const config = await runInInjectionContext(this.#injector, factory);
      // Destroyed while the factory ran: start nothing (no lock, channel, timer or listener).
      if (this.#destroyed) throw destroyedError();
      this.#active ??= this.#run(this.#resolve(config));
      return this.#active;
    })();
    return this.#starting;
  }

  #resolve(config: IdentityAuthConfig): ResolvedIdentityAuthConfig {
    return resolveIdentityAuthConfig(config, {
      isBrowser: this.#platform.isBrowser,
      baseUri: this.#platform.baseUri,
      hasTokenStoreFeature: this.#featureStore !== null,
    });
  }

  #run(config: ResolvedIdentityAuthConfig): ActiveSession {
    return new ActiveSession(config, this.#platform, this.#state, this.#featureStore);
  }

  #destroy(): void {
    this.#destroyed = true;
    this.#active?.close();
    this.#markRestored();
  }
}
