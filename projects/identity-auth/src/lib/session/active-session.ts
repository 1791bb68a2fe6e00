/**
 * The running session engine of one tab, built once the configuration is resolved:
 * the one owner of the token store, the tabs, the refresh coordinator, restore and
 * sign-out. Each rule of the cross-tab session lives in one place here:
 *
 * - who may present a refresh token: the coordinator, under the {@link RefreshFence};
 * - who shares tokens: tabs with Web Locks and BroadcastChannel; without them, no
 *   tab reads another's tokens, and a closing tab revokes its own ({@link ActiveSession.constructor});
 * - how a session enters this tab (login, restore, another tab): {@link ActiveSession.adopt},
 *   which always schedules its refresh; when two sessions meet, the older loses everywhere and
 *   the leader or the tab that made it revokes it;
 * - how a sign-out lasts: the {@link SignOutMarker} and the {@link SignOutDelivery}; a sign-out
 *   overtakes a login that began before it ({@link ActiveSession.signedIn}, {@link ActiveSession.cancelLogin}).
 *
 * "Session" here is the signed-in session of the library (one `sessionId` across its
 * refreshes); the identity service's own session is "the identity session" (its cookie).
 */
import {
  authorize,
  exchangeCode,
  IdentityAuthError,
  isIdentityAuthError,
  LIBRARY_ERROR_CODES,
  type SignInAccount,
  signOut as signOutAtService,
  type TokenSet,
} from 'b2trader.identity.auth/core';

import type { ResolvedIdentityAuthConfig } from '../identity-auth-config';
import { CrossTab, type TabMessage } from './cross-tab';
import type { IdentityAuthEvent } from './identity-auth-events';
import type { Cancel, IdentityAuthPlatform } from '../platform/identity-auth-platform';
import { RefreshCoordinator, type RefreshHost } from './refresh-coordinator';
import type { RefreshFence } from './refresh-fence';
import { restoreSession } from './restore';
import type { AdoptCause, SessionState } from './session-state';
import { SignOutDelivery } from './sign-out-delivery';
import { SESSION_ERROR_CODES } from './session-error-codes';
import { SignOutMarker } from './sign-out-marker';
import { type IdentityTokenRecord, newSessionId, recordFromTokens } from './token-record';
import { type IdentityTokenStore, MemoryTokenStore, storageKey, WebStorageTokenStore } from './token-store';

type EndEvent = IdentityAuthEvent & { type: 'signedOut' | 'sessionExpired' };

function loginCancelledError(step: 'sign-in' | 'token'): IdentityAuthError {
  return new IdentityAuthError('login_required', 'sign-in was cancelled by a sign-out that came after it began.', {
    step,
    code: SESSION_ERROR_CODES.signedOut,
  });
}

/** How many recent access tokens are remembered with their session (a 401 replay's check). */
const KNOWN_TOKENS = 8;

export class ActiveSession implements RefreshHost {
  readonly client: ResolvedIdentityAuthConfig['client'];
  readonly timing: ResolvedIdentityAuthConfig['refresh'];
  readonly store: IdentityTokenStore;
  readonly tabs: CrossTab;
  readonly fence: RefreshFence;
  readonly coordinator: RefreshCoordinator;
  readonly #marker: SignOutMarker;
  readonly #delivery: SignOutDelivery;
  /** Access tokens this tab held lately, by session: a 401 is replayed only within its session. */
  readonly #tokenSessions = new Map<string, string>();
  #peerAnswered: (() => void) | null = null;
  /** Sessions a login in this tab replaced: a sign-out names them, a tab that offers one gets the new one. */
  readonly #replacedSessions = new Set<string>();
  /** Sessions that lost to a newer one and whose refresh token this tab revoked. */
  readonly #revokedLosers = new Set<string>();
  /** Sessions this tab made (a login, a restore or heal through the cookie). */
  /** Sign-outs of other pages whose refresh token this tab revokes should that page go first. */
  readonly #outlived = new Set<string>();
  readonly #ownSessions = new Set<string>();
  readonly #cancels: Cancel[] = [];
  #closed = false;
  /** Where the time of the last sign-in in any tab is kept (its identity-session cookie is the browser's since). */
  readonly #signedInKey: string;
  #lastSignInAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly config: ResolvedIdentityAuthConfig,
    readonly platform: IdentityAuthPlatform,
    readonly state: SessionState,
    featureStore: IdentityTokenStore | null,
  ) {
    this.client = config.client;
    this.timing = config.refresh;
    const key = storageKey(config.client.baseUrl, config.clientId);
    this.#signedInKey = `${key}:signed-in`;
    this.tabs = new CrossTab(platform, key, (message) => this.#onTabMessage(message));
    // Without Web Locks and a channel no tab may read another's tokens (two tabs would hold
    // one refresh token): each keeps its own, in memory, and restores through the cookie.
    this.store = this.tabs.connected ? storeFor(config, platform, featureStore, key) : new MemoryTokenStore();
    this.state.attach(this.store, () => platform.now());
    this.fence = platform.isBrowser ? platform.refreshFence(`${key}:fence`) : platform.refreshFence('');
    this.#marker = new SignOutMarker(platform, key);
    this.state.forget(this.#marker.read()?.sessionIds ?? []);
    this.#delivery = new SignOutDelivery({
      client: config.client,
      pageId: this.tabs.id,
      platform,
      fence: this.fence,
      marker: this.#marker,
      // The code exchange waits for the retry clock like any token request of this tab.
      cookieTokens: () => this.#cookieTokens(() => this.coordinator.checkRetryClock()),
      checkRetryClock: () => this.coordinator.checkRetryClock(),
      noteTransient: (error) => this.coordinator.noteTransient(error),
      retryWait: () => this.coordinator.retryWait(),
      confirmed: () => this.state.events.next({ type: 'signOutConfirmed', at: platform.now(), origin: 'this-tab' }),
    });
    this.coordinator = new RefreshCoordinator(this);
    if (platform.isBrowser) {
      // A sign-out in another tab reaches this one even where no channel carries it, and a
      // page back from the back/forward cache checks what it missed.
      this.#cancels.push(
        this.#marker.watch(() => this.#onSignOutMark()),
        platform.listen('pageshow', () => this.#onSignOutMark()),
      );
      // Tabs that share nothing keep their tokens in memory only: a page that goes away for good
      // takes its refresh token with it, so the service is told to forget it.
      if (!this.tabs.connected) this.#cancels.push(platform.listen('pagehide', (event) => this.#onPageHide(event)));
    }
    this.tabs.campaign(() => this.coordinator.onLeadership());
  }

  #onPageHide(event: Event): void {
    // Kept in the back/forward cache, the page may come back with its tokens.
    if ((event as PageTransitionEvent).persisted) return;
    const record = this.state.record();
    if (this.#closed || !record?.refreshToken || record.expiresAt <= this.platform.now()) return;
    // During a sign-out the service has not heard, this call may be lost too: the delivery names
    // no refresh token then, so that this page's dies as well.
    this.#marker.holding(this.tabs.id, true);
    signOutAtService(this.client, record.accessToken, record.refreshToken, {
      credentials: 'omit',
      keepalive: true,
    }).catch(
      () => undefined, // the page is gone: nothing is left to tell
    );
  }

  /** Start-up's restore: the store → the other tabs → the identity-session cookie → signed out. */
  restore(): Promise<void> {
    // A sign-out the identity service has not heard yet: tell it now.
    if (this.platform.isBrowser && this.#delivery.pending) void this.#delivery.deliver();
    return restoreSession({
      platform: this.platform,
      state: this.state,
      store: this.store,
      tabs: this.tabs,
      askPeers: (ms) => this.#askPeers(ms),
      silentTokens: (generation) => this.silentTokens(generation),
      publish: (record, cause) => this.publish(record, cause),
      adopt: (record) => this.#adopt(record, 'restore', 'this-tab'),
      revoke: (record) => this.revoke(record),
      noteTransient: (error) => this.coordinator.noteTransient(error),
      silentSignInStopped: () => this.#marker.read() !== null,
    });
  }

  /**
   * A sign-in succeeded: the identity session is a new one now, so a sign-out still being
   * delivered (here or in another tab) revokes its tokens without ending that session.
   */
  signedIn(startedAt: number): void {
    if (this.signedOutSince(startedAt)) {
      // The trader signed out while this sign-in ran: the sign-out wins, and the identity
      // session the sign-in just made (its cookie arrived after the sign-out) is ended too.
      this.#marker.mark([], true);
      void this.#delivery.deliver();
      throw loginCancelledError('sign-in');
    }
    this.#noteSignIn();
    this.#marker.settle();
  }

  /** Whether a sign-out (in any tab) came at or after `startedAt`: a login begun before it is void. */
  signedOutSince(startedAt: number): boolean {
    const mark = this.#marker.read();
    return mark !== null && mark.at >= startedAt;
  }

  /** Tokens of a login that a sign-out overtook: revoked, with the identity session they came from. */
  cancelLogin(tokens: TokenSet): never {
    if (!this.#closed) {
      this.#marker.mark([], true);
      this.#revokeTokens(tokens, 'cancelled', true);
    }
    throw loginCancelledError('token');
  }

  /** Revokes tokens no session was made of (and ends their identity session when asked). */
  #revokeTokens(tokens: TokenSet, why: string, endsIdentitySession = false): void {
    if (this.#closed) return;
    this.#delivery.hold({
      sessionId: `${why}-${this.platform.now()}`,
      generation: 0,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt,
      endsIdentitySession,
    });
    void this.#delivery.deliver();
  }

  /** The first record of a new session (a login, a machine-to-machine sign-in), in every tab. */
  begin(tokens: TokenSet, account?: SignInAccount): IdentityTokenRecord {
    // The trader signed in again: silent sign-ins are allowed again.
    this.#marker.clear();
    const previous = this.state.record();
    if (previous) {
      // The session this one replaces ends here for good; a sign-out names it too, so a tab
      // that missed the switch cannot hand it back. Its refresh token is revoked.
      this.#replacedSessions.add(previous.sessionId);
      this.state.forget([previous.sessionId]);
      this.revoke(previous);
    }
    const record = recordFromTokens(tokens, {
      generation: this.state.nextGeneration(),
      sessionId: this.#newSessionId(),
      clientId: this.config.clientId,
      requestedScope: this.client.scope,
      account,
      receivedAt: this.platform.now(),
    });
    this.publish(record, 'login');
    return this.state.record() ?? record;
  }

  /**
   * Ends the session at once in every tab, and for good: a mark stops every tab from
   * signing in silently until the trader signs in. Then tells the identity service
   * (refresh token revoked, identity session ended) — now, or when it can be reached.
   * Resolves whether it heard now; this tab's `signedOut` event says the same. Other
   * tabs end before the answer: their events say `serverNotified: false`.
   */
  async signOut(): Promise<boolean> {
    const record = this.state.record();
    this.#marker.mark(
      [...this.#replacedSessions, ...(record ? [record.sessionId] : [])],
      true,
      record ? { [record.sessionId]: record.generation } : {},
    );
    if (record) {
      const { sessionId, generation, receivedAt } = record;
      const revoked = { generation, receivedAt };
      this.tabs.post({ kind: 'ended', reason: 'signedOut', sessionId, serverNotified: false, revoked });
      this.#delivery.hold({ ...record, endsIdentitySession: true });
    }
    this.#endHere(null, record?.sessionId);
    const heard = await this.#delivery.deliver(true);
    if (record) {
      const at = this.platform.now();
      this.state.events.next({ type: 'signedOut', at, origin: 'this-tab', serverNotified: heard });
    }
    return heard;
  }

  /**
   * The token to replay a request with after the API answered 401 to `rejected`: the
   * current one when it belongs to the session that made the request (after a refresh
   * when `rejected` is still current). Otherwise `rejected` itself: the 401 stands.
   */
  async tokenAfterRejection(rejected: string): Promise<string> {
    const current = this.state.record();
    const session = this.#tokenSessions.get(rejected);
    if (current && session !== current.sessionId) return rejected;
    const record = await this.coordinator.refresh(rejected);
    return record.sessionId === session ? record.accessToken : rejected;
  }

  close(): void {
    this.#closed = true;
    this.#cancels.forEach((cancel) => cancel());
    this.coordinator.stop();
    this.#delivery.close();
    this.fence.close?.();
    this.tabs.close();
  }

  // RefreshHost

  /** Tells the other tabs first, then adopts here: a tab that becomes leader already holds it. */
  publish(record: IdentityTokenRecord, cause: AdoptCause): void {
    if (this.#closed) return;
    // A restore or a refresh that lands after a sign-out revives nothing: its tokens are revoked.
    if (cause !== 'login' && this.signedOut(record.sessionId)) {
      this.revoke(record);
      return;
    }
    this.#ownSessions.add(record.sessionId);
    this.tabs.post({ kind: 'state', record, cause });
    this.#adopt(record, cause, 'this-tab');
  }

  expire(error: IdentityAuthError, sessionId: string): void {
    this.tabs.post({ kind: 'ended', reason: 'sessionExpired', sessionId, serverNotified: false });
    this.#endHere({ type: 'sessionExpired', at: this.platform.now(), origin: 'this-tab', error }, sessionId);
  }

  /** A silent authorize with the identity-session cookie. A different subject ends the session. */
  async silentTokens(generation: number, previous?: IdentityTokenRecord): Promise<IdentityTokenRecord> {
    let sentAt = this.platform.now();
    let tokens = await this.#cookieTokens().catch((err: unknown) => {
      // Healing a session while a sign-in (in any tab) answered: the browser's cookie is a newer one now.
      if (previous && isIdentityAuthError(err) && err.kind === 'login_required' && this.#signedInSince(sentAt))
        return this.#cookieTokens();
      throw err;
    });
    // A sign-in (in any tab) answered while this ran (a frozen tab wakes long after): these may
    // be of the identity session it replaced — one a sign-out ended, or another trader's. They
    // are revoked, and the new cookie asked.
    for (let crossings = 0; this.#signedInSince(sentAt) && crossings < 3; crossings += 1) {
      this.#revokeTokens(tokens, 'crossed');
      sentAt = this.platform.now();
      tokens = await this.#cookieTokens();
    }
    const subject = tokens.idTokenClaims?.sub;
    if (previous && subject !== previous.subject) {
      throw new IdentityAuthError(
        'invalid_response',
        'refresh failed: the identity session is for another user; nothing was kept.',
        { step: 'authorize', code: LIBRARY_ERROR_CODES.subjectMismatch },
      );
    }
    return recordFromTokens(tokens, {
      generation,
      sessionId: previous?.sessionId ?? this.#newSessionId(),
      clientId: this.config.clientId,
      requestedScope: this.client.scope,
      account: previous?.account,
      receivedAt: this.platform.now(),
    });
  }

  /** Whether `sessionId` ended here, or a sign-out in any tab ended it (see {@link SignOutMarker.ends}). */
  signedOut(sessionId: string): boolean {
    return this.state.hasEnded(sessionId) || this.#marker.ends(sessionId);
  }

  revoke(record: IdentityTokenRecord): void {
    if (this.#closed) return;
    this.#delivery.hold({ ...record, endsIdentitySession: false });
    void this.#delivery.deliver();
  }

  // Everything else

  /** Every way a session enters this tab ends here: adopted, then its refresh scheduled. */
  #adopt(record: IdentityTokenRecord, cause: AdoptCause, origin: 'this-tab' | 'other-tab'): void {
    // Never a session a sign-out ended (a stored record that loaded after it, say).
    if (this.signedOut(record.sessionId)) return;
    const previous = this.state.record();
    const met = previous !== null && previous.sessionId !== record.sessionId;
    if (!this.state.adopt(record, cause, origin)) {
      if (met) this.#revokeLoser(record);
      return;
    }
    if (met) this.#revokeLoser(previous);
    this.#tokenSessions.delete(record.accessToken);
    this.#tokenSessions.set(record.accessToken, record.sessionId);
    if (this.#tokenSessions.size > KNOWN_TOKENS) this.#tokenSessions.delete(this.#tokenSessions.keys().next().value!);
    this.coordinator.onRecordChanged();
  }

  /**
   * Two sessions met (a restore in one tab, a login in another): the older loses in every
   * tab, and its refresh token would live on unused. The leader, or the tab that made it, revokes it once.
   */
  #revokeLoser(loser: IdentityTokenRecord): void {
    // The leader, and the tab that made the session (the leader may not have heard of it).
    const mine = this.tabs.isLeader || this.#ownSessions.has(loser.sessionId);
    if (!mine || this.state.hasEnded(loser.sessionId) || this.#revokedLosers.has(loser.sessionId)) return;
    this.#revokedLosers.add(loser.sessionId);
    this.revoke(loser);
  }

  #endHere(event: EndEvent | null, sessionId?: string): void {
    const had = this.state.record();
    this.state.end(event, sessionId);
    if (had && !this.state.record()) this.coordinator.onRecordChanged();
  }

  /**
   * A tab signed out. Tabs that talk hear it as a message too; this covers tabs that share
   * nothing (each ends its own session and revokes its own tokens), a sign-out in a tab that
   * held no session, and a message missed (a page frozen or in the back/forward cache).
   */
  #onSignOutMark(): void {
    const mark = this.#marker.read();
    const record = this.state.record();
    if (mark) this.state.forget(mark.sessionIds);
    // No mark: a sign-in cleared it since, but a session begun before that sign-out still ends.
    if (!record || !this.#marker.ends(record.sessionId)) return;
    // The signing-out tab revokes what it held. Tabs that share nothing hold their own tokens;
    // and a session, or a generation of it, that tab had not heard of yet, its holders revoke.
    const known = mark?.generations?.[record.sessionId];
    const revokeHere =
      !this.tabs.connected ||
      !mark?.sessionIds.includes(record.sessionId) ||
      (known !== undefined && record.generation > known);
    if (revokeHere) this.#delivery.hold({ ...record, endsIdentitySession: true });
    else mark?.unheardIn?.forEach((pageId) => this.#outlive(pageId, record));
    this.#endHere({ type: 'signedOut', at: this.platform.now(), origin: 'other-tab', serverNotified: false });
    if (revokeHere) void this.#delivery.deliver();
  }

  #onTabMessage(message: TabMessage): void {
    if (this.#closed) return;
    switch (message.kind) {
      case 'state': {
        const { record, cause } = message;
        if (!this.signedOut(record.sessionId)) this.#adopt(record, cause, 'other-tab');
        else if (this.#replacedSessions.has(record.sessionId)) {
          // A tab that missed a login here: the session that replaced it.
          const current = this.state.record();
          if (current) this.tabs.post({ kind: 'state', record: current, cause: 'restore' });
        } else if (this.state.hasEnded(record.sessionId)) {
          // A tab still offers a session that ended here (it, or a tab it answered, missed the
          // end): say so again, so that no new tab keeps it.
          const reason = this.#marker.ends(record.sessionId) ? 'signedOut' : 'sessionExpired';
          this.tabs.post({ kind: 'ended', reason, sessionId: record.sessionId, serverNotified: false });
        }
        this.#peerAnswered?.();
        break;
      }
      case 'hello': {
        const record = this.state.record();
        if (record) this.tabs.post({ kind: 'state', record, cause: 'restore' });
        break;
      }
      case 'refresh-request':
        this.coordinator.onRefreshRequest(message.generation);
        break;
      case 'refresh-failed':
        this.coordinator.onLeaderFailed(message.generation, message.transient, message.retryInMs);
        break;
      case 'ended': {
        const at = this.platform.now();
        // A sign-out anywhere is a sign-out here, whatever a refresh in flight made of it.
        const signedOut = message.reason === 'signedOut' || this.#marker.ends(message.sessionId);
        const mine = this.state.record();
        const { revoked } = message;
        if (revoked && mine?.sessionId === message.sessionId) {
          // This tab holds other tokens of the session than the tab that signed out: it revokes its own.
          if (mine.generation !== revoked.generation || mine.receivedAt !== revoked.receivedAt) this.revoke(mine);
          else if (signedOut) this.#outlive(message.from, mine);
        }
        const event: EndEvent = signedOut
          ? { type: 'signedOut', at, origin: 'other-tab', serverNotified: message.serverNotified }
          : { type: 'sessionExpired', at, origin: 'other-tab' };
        this.#endHere(event, message.sessionId);
        break;
      }
    }
  }

  /**
   * The tab `pageId` signed out holding `record`'s refresh token, which this tab knows too. Should
   * that page go before the service heard the revocation (it stays listed in the mark), this tab
   * revokes the token, by name.
   */
  #outlive(pageId: string, record: IdentityTokenRecord): void {
    const key = `${pageId}:${record.sessionId}:${record.generation}`;
    if (!record.refreshToken || pageId === this.tabs.id || this.#outlived.has(key)) return;
    this.#outlived.add(key);
    void this.tabs.whenGone(pageId).then(() => {
      this.#outlived.delete(key);
      if (this.#closed || !this.#marker.lists(pageId)) return;
      this.#delivery.hold({ ...record, endsIdentitySession: true });
      void this.#delivery.deliver();
    });
  }

  #askPeers(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = this.platform.setTimeout(() => done(), ms);
      const done = () => {
        cancel();
        this.#peerAnswered = null;
        resolve();
      };
      this.#peerAnswered = done;
      this.tabs.post({ kind: 'hello' });
    });
  }

  async #cookieTokens(beforeExchange?: () => void): Promise<TokenSet> {
    const code = await authorize(this.client);
    beforeExchange?.();
    return exchangeCode(this.client, code);
  }

  /** A sign-in answered here: tabs healing with an older cookie meanwhile try the new one. */
  #noteSignIn(): void {
    this.#lastSignInAt = this.platform.now();
    try {
      this.platform.storage('local')?.setItem(this.#signedInKey, String(this.#lastSignInAt));
    } catch {
      // storage unusable: this tab's own note still holds
    }
  }

  #signedInSince(at: number): boolean {
    if (this.#lastSignInAt >= at) return true;
    try {
      return Number(this.platform.storage('local')?.getItem(this.#signedInKey) ?? Number.NaN) >= at;
    } catch {
      return false;
    }
  }

  #newSessionId(): string {
    return newSessionId(this.platform.now(), () => this.platform.random());
  }
}

function storeFor(
  config: ResolvedIdentityAuthConfig,
  platform: IdentityAuthPlatform,
  featureStore: IdentityTokenStore | null,
  key: string,
): IdentityTokenStore {
  // On the server nothing is stored anywhere a later request could see it.
  if (!platform.isBrowser) return new MemoryTokenStore();
  if (featureStore) return featureStore;
  const { storage } = config;
  if (storage === 'session' || storage === 'local') return new WebStorageTokenStore(platform, storage, key);
  return storage === 'memory' ? new MemoryTokenStore() : storage;
}
