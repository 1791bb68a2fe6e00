/**
 * Telling the identity service about a sign-out, now or as soon as it can be
 * reached: the refresh tokens this tab held are revoked (including one that a
 * refresh in flight brought after the sign-out), and the identity session behind
 * the cookie is ended. Until then the {@link SignOutMarker} stays pending and keeps
 * every tab from signing in silently.
 */
import {
  type IdentityClient,
  isIdentityAuthError,
  refreshTokens,
  signOut,
  type TokenSet,
} from 'b2trader.identity.auth/core';

import { backoffDelay } from './backoff';
import type { Cancel, IdentityAuthPlatform } from '../platform/identity-auth-platform';
import { answerDueBy, type RefreshFence } from './refresh-fence';
import type { SignOutMarker } from './sign-out-marker';

/** Tokens to revoke. Held in this page's memory only. */
export interface HeldTokens {
  readonly sessionId: string;
  readonly generation: number;
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: number;
  /**
   * Send the identity-session cookie (ending it). Checked again before each request: once
   * a new sign-in has begun (the mark no longer pending), the cookie is its and stays.
   */
  readonly endsIdentitySession: boolean;
}

export interface SignOutDeliveryHost {
  readonly client: IdentityClient;
  /** This page's id (the tab's id in messages). */
  readonly pageId: string;
  readonly platform: IdentityAuthPlatform;
  readonly fence: RefreshFence;
  readonly marker: SignOutMarker;
  /** A silent authorize + code exchange, for the sign-out call only: never adopted. */
  cookieTokens(): Promise<TokenSet>;
  /** Throws a transient error while the retry clock forbids token requests. */
  checkRetryClock(): void;
  /** A token request failed transiently: the retry clock starts. */
  noteTransient(error: unknown): void;
  /** How long the retry clock still runs, in ms. */
  retryWait(): number;
  /** A sign-out that had not reached the service now has. */
  confirmed(): void;
}

/** Only a transient failure is worth another try; a refusal (400, 403) will not change. */
async function unlessRefused<T>(work: Promise<T>): Promise<T | false> {
  try {
    return await work;
  } catch (err) {
    if (isIdentityAuthError(err) && err.transient) throw err;
    return false;
  }
}

/** A sign-out call needs a bearer that lives a little longer than the call. */
const BEARER_MARGIN_MS = 2_000;

export class SignOutDelivery {
  #held: HeldTokens[] = [];
  #running: Promise<boolean> | null = null;
  #cancelRetry: Cancel | null = null;
  #attempt = 0;
  #closed = false;
  /** Revocations sent outside a run, not yet answered. */
  #unanswered = 0;
  readonly #stopListening: Cancel;

  readonly #host: SignOutDeliveryHost;

  constructor(host: SignOutDeliveryHost) {
    this.#host = host;
    this.#stopListening = host.platform.listen('online', () => void this.deliver());
  }

  /** Revokes `tokens` with the next delivery. */
  hold(tokens: HeldTokens): void {
    // Written before anything is sent: this page may go away at any moment, and its memory
    // with it. Until these are heard, no other page can name them.
    if (tokens.refreshToken) this.#host.marker.holding(this.#host.pageId, true);
    if (!this.#running || this.#closed || !tokens.refreshToken || !this.#bearerLives(tokens)) {
      this.#held.push(tokens);
      return;
    }
    // A delivery is busy (a slow cookie exchange, say) and this tab may close before it gets
    // to these: revoked at once with their own bearer. The identity session stays the run's.
    this.#unanswered += 1;
    const answered = () => {
      this.#unanswered -= 1;
      this.#noteHeld();
    };
    this.#revokeWithOwnBearer(tokens, 'omit').then(
      (heard) => {
        answered();
        if (heard) return;
        this.#held.push({ ...tokens, expiresAt: 0 }); // the next run finds another bearer
        void this.deliver();
      },
      (err: unknown) => {
        answered();
        if (!isIdentityAuthError(err) || !err.transient) return; // refused: nothing of it lives
        this.#held.push(tokens);
        void this.deliver();
      },
    );
  }

  /** Whether anything is left to tell the service. */
  get pending(): boolean {
    return this.#held.length > 0 || this.#host.marker.pending;
  }

  /**
   * Tells the service what is pending; resolves whether all of it was heard. When it
   * was not, tries again with backoff and on `online`; `signOutConfirmed` follows then.
   */
  deliver(first = false): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    this.#running ??= this.#run(first).finally(() => (this.#running = null));
    return this.#running;
  }

  close(): void {
    this.#closed = true;
    this.#cancelRetry?.();
    this.#stopListening();
  }

  async #run(first: boolean): Promise<boolean> {
    const { marker, platform } = this.#host;
    try {
      let identitySessionEnded = false;
      let markedAt = marker.read()?.at;
      for (;;) {
        // Tokens a late refresh answer brings while this runs are revoked in the same run.
        while (this.#held.length > 0) {
          // A closed tab starts nothing more; the pending mark has the next start finish it.
          if (this.#closed) return false;
          identitySessionEnded = (await unlessRefused(this.#revoke(this.#held[0]))) || identitySessionEnded;
          this.#held.shift();
          this.#noteHeld();
        }
        if (marker.pending && !identitySessionEnded) {
          if (this.#closed) return false;
          // No tokens left, the cookie may live: a bearer from it (its tokens held and revoked in
          // this run, ending the identity session), unless there is none to end.
          const cookie = await unlessRefused(this.#cookieTokens());
          if (cookie) this.#held.push(cookie);
          identitySessionEnded = cookie === null;
        }
        if (this.#held.length > 0) continue;
        // Marked again meanwhile (a sign-in this sign-out overtook): that identity session ends too.
        const mark = marker.read();
        if (!mark?.pending || mark.at === markedAt) break;
        markedAt = mark.at;
        identitySessionEnded = false;
      }
      this.#attempt = 0;
      // The tab that settles the mark reports it (once, not every tab that helped).
      if (marker.settle() && !first) this.#host.confirmed();
      return true;
    } catch {
      if (!this.#closed) {
        this.#cancelRetry?.();
        const delay = Math.max(backoffDelay(this.#attempt, platform.random()), this.#host.retryWait());
        this.#cancelRetry = platform.setTimeout(() => void this.deliver(), delay);
        this.#attempt += 1;
      }
      return false;
    }
  }

  /** Once nothing of this page's is left to revoke, another page's delivery may name tokens again. */
  #noteHeld(): void {
    const holds = this.#unanswered > 0 || this.#held.some((tokens) => tokens.refreshToken !== undefined);
    if (!holds) this.#host.marker.holding(this.#host.pageId, false);
  }

  #bearerLives(tokens: HeldTokens): boolean {
    return tokens.expiresAt - BEARER_MARGIN_MS > this.#host.platform.now();
  }

  /**
   * Signs out with the tokens' own access token while it lives; resolves false when it does
   * not, or the service refused it as dead before its time (revoked, another clock).
   */
  async #revokeWithOwnBearer(tokens: HeldTokens, credentials: 'include' | 'omit'): Promise<boolean> {
    if (!this.#bearerLives(tokens)) return false;
    try {
      await this.#signOut(tokens.accessToken, tokens.refreshToken, credentials);
      return true;
    } catch (err) {
      if (isIdentityAuthError(err) && err.status === 401) return false;
      throw err;
    }
  }

  /**
   * Revokes one held set; resolves whether the identity session was ended with it.
   * Rejects when the service could not be reached (tried again later).
   */
  async #revoke(tokens: HeldTokens): Promise<boolean> {
    const { client, fence, platform } = this.#host;
    // Read now, not when the tokens were held: a sign-in since then owns the cookie.
    const credentials = tokens.endsIdentitySession && this.#host.marker.pending ? 'include' : 'omit';
    if (await this.#revokeWithOwnBearer(tokens, credentials)) return credentials === 'include';
    if (!tokens.refreshToken) return false; // nothing to revoke; a pending mark ends the identity session
    // The bearer is too old. Any bearer of the trader will do: first the identity session's,
    // which leaves the refresh token unpresented. Its own tokens are revoked in the same breath:
    // both requests leave before this page can go (they are keepalive), or neither does.
    const cookie = await this.#cookieTokens();
    if (cookie) {
      const ownRevoked = this.#signOut(cookie.accessToken, cookie.refreshToken, 'omit').catch((err: unknown) => {
        this.#held.push(cookie); // tried again in this run or the next
        throw err;
      });
      await Promise.all([this.#signOut(cookie.accessToken, tokens.refreshToken, credentials), ownRevoked]);
      return credentials === 'include';
    }
    // No identity session left: one refresh for a bearer — presented once, like any refresh token.
    // Before the claim: a claim taken and then held back by the clock would stay taken.
    this.#host.checkRetryClock();
    const claim = await fence.claim(tokens.sessionId, tokens.generation);
    try {
      this.#host.checkRetryClock(); // again: another request of this tab may have started it meanwhile
    } catch (err) {
      if (claim.granted) await fence.release(tokens.sessionId, tokens.generation);
      throw err;
    }
    // Claimed before: answered (spent), or a refresh of it is under way (that tab sees the
    // sign-out and revokes what it gets), or its answer was lost. Then its fate is unknown, and
    // presenting it is the one way left to end it: spent, the service's reuse detection revokes
    // the whole grant — the grant of a session that ends anyway.
    const underWay = claim.outcome === undefined && answerDueBy(claim.claimedAt, client.timeoutMs) > platform.now();
    if (!claim.granted && (claim.outcome === 'answered' || underWay)) return false;
    let fresh: TokenSet;
    try {
      fresh = await refreshTokens(client, tokens.refreshToken);
      void fence.settle(tokens.sessionId, tokens.generation, 'answered');
    } catch (err) {
      if (isIdentityAuthError(err) && err.transient) {
        this.#host.noteTransient(err);
        if (err.status === 429 || err.status === 503) {
          if (claim.granted) await fence.release(tokens.sessionId, tokens.generation);
        } else void fence.settle(tokens.sessionId, tokens.generation, 'lost');
        throw err;
      }
      void fence.settle(tokens.sessionId, tokens.generation, 'answered');
      return false; // spent or revoked already: nothing of it lives
    }
    this.#held[0] = {
      ...tokens,
      generation: tokens.generation + 1,
      accessToken: fresh.accessToken,
      refreshToken: fresh.refreshToken ?? tokens.refreshToken,
      expiresAt: fresh.expiresAt,
    };
    await this.#signOut(fresh.accessToken, fresh.refreshToken ?? tokens.refreshToken, credentials);
    return credentials === 'include';
  }

  /**
   * The sign-out call. The one that ends the identity session names no refresh token while
   * another page holds some of the sign-out's (perhaps gone with them): the service then
   * revokes every refresh token of the trader for this client.
   */
  #signOut(bearer: string, refreshToken: string | undefined, credentials: 'include' | 'omit'): Promise<void> {
    const everyGrant = credentials === 'include' && this.#host.marker.heldElsewhere(this.#host.pageId);
    return signOut(this.#host.client, bearer, everyGrant ? undefined : refreshToken, { credentials, keepalive: true });
  }

  /**
   * Tokens from the identity session (silent authorize) to revoke in this run, or null when
   * there is none. Listed in the mark at once: this page may go before they are revoked.
   */
  async #cookieTokens(): Promise<HeldTokens | null> {
    let tokens: TokenSet;
    try {
      tokens = await this.#host.cookieTokens();
    } catch (err) {
      if (isIdentityAuthError(err) && err.transient) {
        this.#host.noteTransient(err); // a 503 or 429 of the code exchange holds every token request back
        throw err;
      }
      return null;
    }
    this.#host.marker.holding(this.#host.pageId, true);
    return {
      sessionId: `cookie-${this.#host.platform.now()}`,
      generation: 0,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt,
      endsIdentitySession: true,
    };
  }
}
