/**
 * The session as the HTTP edge (interceptor, guard) sees it, steered by the spec: it
 * keeps the engine's contract — one shared refresh for every caller, the current token
 * at once after a 401 for an older one, one error for every waiter when the session
 * ends — and lets the test decide when restore and each refresh finish. The public fake
 * of b2trader.identity.auth/testing drives the whole service; this one only the edge.
 */
import { signal } from '@angular/core';

import { type IdentityAuthStatus, type IdentitySession, SessionAccess } from '../session/session-access';

export interface FakeSessionOptions {
  /** Default `signed-in`. */
  readonly status?: IdentityAuthStatus;
  /** The token handed out; `null` when signed out. Default `token-1`. */
  readonly token?: string | null;
  /** Where each refresh's token comes from. Default: the spec calls `completeRefresh()`. */
  readonly mintToken?: () => Promise<string>;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class FakeSession extends SessionAccess {
  readonly status = signal<IdentityAuthStatus>('signed-in');
  readonly session = signal<IdentitySession | null>(null);
  current: string | null;
  /** The token is expired: `tokenForRequest` waits for the shared refresh. */
  expired = false;
  /** Refreshes started. */
  refreshes = 0;
  /** The tokens `tokenAfterRejection` was told about, in order. */
  readonly rejections: string[] = [];
  /** Calls of `tokenForRequest`. */
  tokenRequests = 0;
  private readonly restore = deferred<void>();
  private refresh: Deferred<string> | null = null;
  private readonly mintToken?: () => Promise<string>;

  constructor(options: FakeSessionOptions = {}) {
    super();
    this.status.set(options.status ?? 'signed-in');
    this.current = options.token === undefined ? 'token-1' : options.token;
    this.mintToken = options.mintToken;
  }

  whenRestored(): Promise<void> {
    return this.restore.promise;
  }

  tokenForRequest(): Promise<string | null> {
    this.tokenRequests++;
    if (this.current === null) return Promise.resolve(null);
    return this.expired ? this.sharedRefresh() : Promise.resolve(this.current);
  }

  tokenAfterRejection(rejected: string): Promise<string> {
    this.rejections.push(rejected);
    if (this.current !== null && this.current !== rejected) return Promise.resolve(this.current);
    return this.sharedRefresh();
  }

  get refreshing(): boolean {
    return this.refresh !== null;
  }

  /** Ends start-up's restore; with a session (or `null`), sets it and the status too. */
  finishRestore(session?: IdentitySession | null): void {
    if (session !== undefined) {
      this.session.set(session);
      this.status.set(session ? 'signed-in' : 'signed-out');
    }
    this.restore.resolve();
  }

  /** The running refresh succeeds with `token`. */
  completeRefresh(token: string): void {
    this.current = token;
    this.expired = false;
    this.refresh!.resolve(token);
    this.refresh = null;
  }

  /** The running refresh ends the session: every waiter gets `error`. */
  endSession(error: unknown): void {
    this.current = null;
    this.status.set('signed-out');
    this.refresh!.reject(error);
    this.refresh = null;
  }

  private sharedRefresh(): Promise<string> {
    if (!this.refresh) {
      this.refresh = deferred<string>();
      this.refreshes++;
      this.mintToken?.().then(
        (token) => this.completeRefresh(token),
        (error: unknown) => this.endSession(error),
      );
    }
    return this.refresh.promise;
  }
}
