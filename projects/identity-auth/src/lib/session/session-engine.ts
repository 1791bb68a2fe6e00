/**
 * The session engine behind `IdentityAuthService` and the interceptor: resolves
 * the configuration at start-up, wires the state owner, the token store, the tabs
 * and the refresh coordinator, and runs the steps that begin or end a session.
 */
import { DestroyRef, inject, Injectable, Injector, runInInjectionContext } from '@angular/core';
import {
  type AuthorizationResult,
  authorize,
  exchangeCode,
  IdentityAuthError,
  isIdentityAuthError,
  LIBRARY_ERROR_CODES,
  type passwordGrant,
  signIn,
  type SignInResult,
  type SignInAccount,
  signOut,
  type TokenSet,
} from 'b2trader.identity.auth/core';

import {
  IDENTITY_AUTH_CONFIG_SOURCE,
  type IdentityAuthConfig,
  resolveIdentityAuthConfig,
  type ResolvedIdentityAuthConfig,
} from '../identity-auth-config';
import { CrossTab, type TabMessage } from './cross-tab';
import type { IdentityAuthEvent } from './identity-auth-events';
import { type Cancel, IdentityAuthPlatform } from './identity-auth-platform';
import { RefreshCoordinator } from './refresh-coordinator';
import { needsRefresh } from './refresh-schedule';
import { restoreSession } from './restore';
import type { IdentitySession } from './session-access';
import { SessionDriver } from './session-driver';
import { type AdoptCause, SessionState } from './session-state';
import { type IdentityTokenRecord, recordFromTokens, sessionFromRecord } from './token-record';
import {
  IDENTITY_TOKEN_STORE,
  type IdentityTokenStore,
  MemoryTokenStore,
  storageKey,
  WebStorageTokenStore,
} from './token-store';

/** Everything that exists once the configuration is resolved. */
interface Running {
  readonly config: ResolvedIdentityAuthConfig;
  readonly store: IdentityTokenStore;
  readonly tabs: CrossTab;
  readonly coordinator: RefreshCoordinator;
}

@Injectable()
export class SessionEngine extends SessionDriver {
  private readonly state = inject(SessionState);
  private readonly platform = inject(IdentityAuthPlatform);
  private readonly injector = inject(Injector);
  private readonly source = inject(IDENTITY_AUTH_CONFIG_SOURCE);
  private readonly featureStore = inject(IDENTITY_TOKEN_STORE, { optional: true });

  readonly status = this.state.status;
  readonly session = this.state.session;
  readonly events = this.state.events;

  private running: Running | null = null;
  private starting: Promise<Running> | null = null;
  private restoring: Promise<void> | null = null;
  private readonly restored: Promise<void>;
  private markRestored!: () => void;
  private peerAnswered: (() => void) | null = null;
  private pendingAccount: SignInResult['account'] | null = null;
  private readonly cancels: Cancel[] = [];
  private destroyed = false;

  constructor() {
    super();
    this.restored = new Promise<void>((resolve) => (this.markRestored = resolve));
    // A config object is checked here, at injection: a wrong option fails start-up with its name.
    if (typeof this.source !== 'function') this.running = this.run(this.resolve(this.source));
    inject(DestroyRef).onDestroy(() => this.destroy());
  }

  /** The resolved configuration, once start-up has resolved it (a config factory may still be running). */
  get config(): ResolvedIdentityAuthConfig | null {
    return this.running?.config ?? null;
  }

  /** Resolves the configuration (running its factory) and restores the session. Idempotent. */
  start(): Promise<void> {
    this.restoring ??= this.ready()
      .then((running) =>
        restoreSession({
          platform: this.platform,
          state: this.state,
          store: running.store,
          tabs: running.tabs,
          askPeers: (ms) => this.askPeers(running, ms),
          silentTokens: (generation) => this.silentTokens(running, generation),
          publish: (record, cause) => this.publish(running, record, cause),
        }),
      )
      .catch((err) => {
        this.state.markRestored();
        throw err;
      })
      .finally(() => this.markRestored());
    return this.restoring;
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
    if (!this.platform.isBrowser) return restoring;
    return new Promise<void>((resolve, reject) => {
      const cancel = this.platform.setTimeout(resolve, config.client.timeoutMs);
      restoring.then(
        () => (cancel(), resolve()),
        (err: unknown) => (cancel(), reject(err)),
      );
    });
  }

  whenRestored(): Promise<void> {
    return this.restored;
  }

  override tokenAtHand(): string | undefined {
    const record = this.state.record();
    if (!record || !this.running) return undefined;
    return needsRefresh(this.platform.now(), record.receivedAt, record.expiresAt, this.running.config.refresh)
      ? undefined
      : record.accessToken;
  }

  async tokenForRequest(): Promise<string | null> {
    const record = this.state.record();
    if (!record || !this.running) return null;
    const { coordinator, config } = this.running;
    if (!needsRefresh(this.platform.now(), record.receivedAt, record.expiresAt, config.refresh))
      return record.accessToken;
    try {
      return (await coordinator.refresh()).accessToken;
    } catch (err) {
      // A blip: the current token still works until it expires.
      const current = this.state.record();
      if (isIdentityAuthError(err) && err.transient && current && current.expiresAt > this.platform.now())
        return current.accessToken;
      throw err;
    }
  }

  async tokenAfterRejection(rejected: string): Promise<string> {
    const running = await this.ready();
    return (await running.coordinator.refresh(rejected)).accessToken;
  }

  /** Step 1: email and password for the identity-session cookie. */
  async signIn(email: string, password: string, signal?: AbortSignal): Promise<SignInResult> {
    const { config } = await this.ready();
    const result = await signIn(config.client, email, password, { signal });
    this.pendingAccount = result.account;
    return result;
  }

  /** Step 2: a code for the identity session (the browser's cookie). */
  async authorize(signal?: AbortSignal): Promise<AuthorizationResult> {
    const { config } = await this.ready();
    return authorize(config.client, { signal });
  }

  /** Step 3: the code for tokens, which become the session in every tab. */
  async exchange(result: AuthorizationResult, signal?: AbortSignal): Promise<IdentitySession> {
    const running = await this.ready();
    const { config } = running;
    const tokens = await exchangeCode(config.client, result, { signal });
    const subject = tokens.idTokenClaims?.sub;
    const account =
      this.pendingAccount && (!subject || this.pendingAccount.id === subject) ? this.pendingAccount : undefined;
    const record = this.newSession(running, tokens, account);
    this.publish(running, record, 'login');
    return sessionFromRecord(this.state.record() ?? record);
  }

  /** The account of a sign-in whose chain has not finished (second factor pending). */
  get pendingSignIn(): SignInResult['account'] | null {
    return this.pendingAccount;
  }

  /** One coordinated refresh (joins a running one). */
  async refresh(): Promise<IdentitySession> {
    const running = await this.ready();
    return sessionFromRecord(await running.coordinator.refresh());
  }

  /**
   * Ends the session at the identity service (refresh token revoked, identity session
   * ended) and in every tab, even when the service cannot be told. Resolves whether it was.
   */
  async signOut(): Promise<boolean> {
    const running = await this.ready();
    const { config, coordinator, tabs } = running;
    let record = this.state.record();
    let serverNotified = false;
    if (record) {
      try {
        // The endpoint wants a valid Bearer.
        if (this.platform.now() >= record.expiresAt - 2_000) record = await coordinator.refresh();
        try {
          await signOut(config.client, record.accessToken, record.refreshToken);
        } catch (err) {
          // Refused as dead before its time (revoked, another clock): one refresh, one more try.
          if (!isIdentityAuthError(err) || err.status !== 401) throw err;
          record = await coordinator.refresh(record.accessToken);
          await signOut(config.client, record.accessToken, record.refreshToken);
        }
        serverNotified = true;
      } catch {
        serverNotified = false;
      }
    }
    // Every record of this session ends, including one a leader is still fetching.
    const sessionId = record?.sessionId;
    if (sessionId) tabs.post({ kind: 'ended', reason: 'signedOut', sessionId, serverNotified });
    this.endHere(
      running,
      { type: 'signedOut', at: this.platform.now(), origin: 'this-tab', serverNotified },
      sessionId,
    );
    this.pendingAccount = null;
    return serverNotified;
  }

  /** Adopts tokens from another source (the machine-to-machine grant) as this tab's session. */
  async adoptTokens(tokens: TokenSet): Promise<IdentitySession> {
    const running = await this.ready();
    const record = this.newSession(running, tokens);
    this.publish(running, record, 'login');
    return sessionFromRecord(record);
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

  /** The resolved configuration; waits for a config factory. */
  async ready(): Promise<Running> {
    if (this.running) return this.running;
    this.starting ??= (async () => {
      const factory = this.source as () => IdentityAuthConfig | Promise<IdentityAuthConfig>;
      const config = await runInInjectionContext(this.injector, factory);
      this.running ??= this.run(this.resolve(config));
      return this.running;
    })();
    return this.starting;
  }

  private resolve(config: IdentityAuthConfig): ResolvedIdentityAuthConfig {
    return resolveIdentityAuthConfig(config, {
      isBrowser: this.platform.isBrowser,
      baseUri: this.platform.baseUri,
      hasTokenStoreFeature: this.featureStore !== null,
    });
  }

  private run(config: ResolvedIdentityAuthConfig): Running {
    const key = storageKey(config.client.baseUrl, config.clientId);
    const store = this.storeFor(config, key);
    this.state.attach(store, () => this.platform.now());
    const tabs = new CrossTab(this.platform, key, (message) => this.onTabMessage(message));
    const running: Running = {
      config,
      store,
      tabs,
      coordinator: new RefreshCoordinator({
        client: config.client,
        timing: config.refresh,
        platform: this.platform,
        state: this.state,
        tabs,
        publish: (record, cause) => this.publish(running, record, cause),
        expire: (error, sessionId) => this.expire(running, error, sessionId),
        silentTokens: (generation, previous) => this.silentTokens(running, generation, previous),
      }),
    };
    if (store.watch && !tabs.connected) {
      // No BroadcastChannel: a `local` store's storage events carry the other tabs' tokens.
      this.cancels.push(
        store.watch((record) =>
          record
            ? this.adoptHere(running, record, 'refresh', 'other-tab')
            : this.endHere(running, {
                type: 'signedOut',
                at: this.platform.now(),
                origin: 'other-tab',
                serverNotified: true,
              }),
        ),
      );
    }
    tabs.campaign(() => running.coordinator.onLeadership());
    return running;
  }

  private storeFor(config: ResolvedIdentityAuthConfig, key: string): IdentityTokenStore {
    // On the server nothing is stored anywhere a later request could see it.
    if (!this.platform.isBrowser) return new MemoryTokenStore();
    if (this.featureStore) return this.featureStore;
    const { storage } = config;
    if (storage === 'session' || storage === 'local') return new WebStorageTokenStore(this.platform, storage, key);
    return storage === 'memory' ? new MemoryTokenStore() : storage;
  }

  private onTabMessage(message: TabMessage): void {
    const running = this.running;
    if (!running || this.destroyed) return;
    switch (message.kind) {
      case 'state':
        this.adoptHere(running, message.record, message.cause, 'other-tab');
        this.peerAnswered?.();
        break;
      case 'hello': {
        const record = this.state.record();
        if (record) running.tabs.post({ kind: 'state', record, cause: 'restore' });
        break;
      }
      case 'refresh-request':
        running.coordinator.onRefreshRequest(message.generation);
        break;
      case 'refresh-failed':
        running.coordinator.onLeaderFailed(message.generation, message.transient);
        break;
      case 'ended': {
        const at = this.platform.now();
        const event: IdentityAuthEvent & { type: 'signedOut' | 'sessionExpired' } =
          message.reason === 'signedOut'
            ? { type: 'signedOut', at, origin: 'other-tab', serverNotified: message.serverNotified }
            : { type: 'sessionExpired', at, origin: 'other-tab' };
        this.endHere(running, event, message.sessionId);
        break;
      }
    }
  }

  private askPeers(running: Running, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = this.platform.setTimeout(() => done(), ms);
      const done = () => {
        cancel();
        this.peerAnswered = null;
        resolve();
      };
      this.peerAnswered = done;
      running.tabs.post({ kind: 'hello' });
    });
  }

  /** A silent authorize with the identity-session cookie. A different subject ends the session (FAULTS 13). */
  private async silentTokens(
    running: Running,
    generation: number,
    previous?: IdentityTokenRecord,
  ): Promise<IdentityTokenRecord> {
    const { config } = running;
    const tokens = await exchangeCode(config.client, await authorize(config.client));
    const subject = tokens.idTokenClaims?.sub;
    if (previous && subject !== previous.subject) {
      throw new IdentityAuthError(
        'invalid_response',
        'refresh failed: the identity session is for another user; nothing was kept.',
        {
          step: 'authorize',
          code: LIBRARY_ERROR_CODES.subjectMismatch,
        },
      );
    }
    return recordFromTokens(tokens, {
      generation,
      sessionId: previous?.sessionId ?? this.newSessionId(),
      clientId: config.clientId,
      requestedScope: config.client.scope,
      account: previous?.account,
      receivedAt: this.platform.now(),
    });
  }

  /** Tells the other tabs first, then adopts here: a tab that becomes leader already holds it. */
  private publish(running: Running, record: IdentityTokenRecord, cause: AdoptCause): void {
    if (this.destroyed) return;
    running.tabs.post({ kind: 'state', record, cause });
    this.adoptHere(running, record, cause, 'this-tab');
  }

  private expire(running: Running, error: IdentityAuthError, sessionId: string): void {
    running.tabs.post({ kind: 'ended', reason: 'sessionExpired', sessionId, serverNotified: false });
    this.endHere(running, { type: 'sessionExpired', at: this.platform.now(), origin: 'this-tab', error }, sessionId);
  }

  /** The first record of a new session (a login, a machine-to-machine sign-in). */
  private newSession(running: Running, tokens: TokenSet, account?: SignInAccount): IdentityTokenRecord {
    return recordFromTokens(tokens, {
      generation: this.state.nextGeneration(),
      sessionId: this.newSessionId(),
      clientId: running.config.clientId,
      requestedScope: running.config.client.scope,
      account,
      receivedAt: this.platform.now(),
    });
  }

  private newSessionId(): string {
    const random = () => Math.floor(this.platform.random() * 2 ** 32).toString(36);
    return `${this.platform.now().toString(36)}-${random()}${random()}`;
  }

  private adoptHere(
    running: Running,
    record: IdentityTokenRecord,
    cause: AdoptCause,
    origin: 'this-tab' | 'other-tab',
  ): void {
    if (this.state.adopt(record, cause, origin)) running.coordinator.onRecordChanged();
  }

  private endHere(
    running: Running,
    event: IdentityAuthEvent & { type: 'signedOut' | 'sessionExpired' },
    sessionId?: string,
  ): void {
    const had = this.state.record();
    this.state.end(event, sessionId);
    if (had && !this.state.record()) running.coordinator.onRecordChanged();
  }

  private destroy(): void {
    this.destroyed = true;
    this.cancels.forEach((cancel) => cancel());
    this.running?.coordinator.stop();
    this.running?.tabs.close();
    this.markRestored();
  }
}
