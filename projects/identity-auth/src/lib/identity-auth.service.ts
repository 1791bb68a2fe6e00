/**
 * The public face of the library for components: the protocol steps and the
 * whole login chain as cold Observables, the session as signals (and their
 * Observable twins), and the events.
 */
import { inject, Injectable, PLATFORM_ID, type Signal, computed } from '@angular/core';
import { toObservable } from '@angular/core/rxjs-interop';
import { isPlatformServer } from '@angular/common';
import type { AuthorizationResult, SignInAccount, SignInResult } from 'b2trader.identity.auth/core';
import { defer, from, map, Observable, shareReplay, finalize } from 'rxjs';

import type { IdentityAuthEvent } from './session/identity-auth-events';
import type { IdentityAuthStatus, IdentitySession } from './session/session-access';
import { SessionDriver } from './session/session-driver';
import { MACHINE_TO_MACHINE } from './machine-to-machine';

/** One step of {@link IdentityAuthService.login}. */
export type LoginStep =
  | { readonly step: 'signing-in' }
  | { readonly step: 'authorizing' }
  | { readonly step: 'exchanging' }
  | { readonly step: 'signed-in'; readonly session: IdentitySession }
  /** The account has a second factor: complete it with the app's own call, then `continueLogin()`. */
  | { readonly step: 'second-factor-required'; readonly account: SignInAccount };

/**
 * Signs the trader in and keeps the session alive.
 *
 * @example
 * ```ts
 * const auth = inject(IdentityAuthService);
 * auth.login(email, password).subscribe({
 *   next: (step) => (this.step = step.step),
 *   error: (err) => (this.wrongPassword = isIdentityAuthError(err, 'invalid_credentials')),
 * });
 * // in a template: @if (auth.isAuthenticated()) { {{ auth.session()?.account?.email }} }
 * ```
 */
@Injectable()
export class IdentityAuthService {
  readonly #engine = inject(SessionDriver);
  readonly #machineToMachine = inject(MACHINE_TO_MACHINE, { optional: true });
  readonly #onServer = isPlatformServer(inject(PLATFORM_ID));
  #loginInFlight: { email: string; steps: Observable<LoginStep> } | null = null;

  /** `unknown` until start-up's restore has finished, then `signed-in` or `signed-out`. */
  readonly status: Signal<IdentityAuthStatus> = this.#engine.status;
  /** The session (account, subject, client, scope, expiresAt), or null. Never a token. */
  readonly session: Signal<IdentitySession | null> = this.#engine.session;
  readonly isAuthenticated: Signal<boolean> = computed(() => this.#engine.session() !== null);
  readonly session$: Observable<IdentitySession | null> = toObservable(this.session);
  readonly isAuthenticated$: Observable<boolean> = toObservable(this.isAuthenticated);
  readonly status$: Observable<IdentityAuthStatus> = toObservable(this.status);
  /** Every event, as it happens. */
  readonly events$: Observable<IdentityAuthEvent> = new Observable<IdentityAuthEvent>((subscriber) =>
    this.#engine.events.subscribe(subscriber),
  );

  /** Step 1 (1.2's `signIn`): email and password for the identity-session cookie. */
  signIn(email: string, password: string): Observable<SignInResult> {
    return this.#step((signal) => this.#engine.signIn(email, password, signal));
  }

  /** Step 2 (1.2's `authorize`): a code for the identity session. */
  authorize(): Observable<AuthorizationResult> {
    return this.#step((signal) => this.#engine.authorize(signal));
  }

  /** Step 3 (1.2's `retrieveToken`): the code for tokens, which become the session in every tab. */
  retrieveToken(code: AuthorizationResult): Observable<IdentitySession> {
    return this.#step((signal) => this.#engine.exchange(code, signal));
  }

  /** One refresh now (joins a running one; in the leader tab). */
  refreshToken(): Observable<IdentitySession> {
    return this.#step(() => this.#engine.refresh());
  }

  /**
   * Signs out at the identity service and in every tab. Emits whether the service
   * could be told; the local sign-out happens either way.
   */
  signOut(): Observable<{ serverNotified: boolean }> {
    return this.#step(() => this.#engine.signOut()).pipe(map((serverNotified) => ({ serverNotified })));
  }

  /**
   * The whole chain: `signing-in` → `authorizing` → `exchanging` → `signed-in`, or
   * `second-factor-required`. Errors are `IdentityAuthError`s. A second call for the
   * same email while one runs (a double click) joins it.
   */
  login(email: string, password: string): Observable<LoginStep> {
    return defer(() => {
      if (this.#loginInFlight?.email === email) return this.#loginInFlight.steps;
      const steps: Observable<LoginStep> = this.#chain<LoginStep>(async (emit, signal) => {
        emit({ step: 'signing-in' });
        const result = await this.#engine.signIn(email, password, signal);
        if (result.secondFactorRequired) {
          emit({ step: 'second-factor-required', account: result.account });
          return;
        }
        await this.#finishLogin(emit, signal);
      }).pipe(
        finalize(() => {
          if (this.#loginInFlight?.steps === steps) this.#loginInFlight = null;
        }),
        shareReplay({ bufferSize: Infinity, refCount: true }),
      );
      this.#loginInFlight = { email, steps };
      return steps;
    });
  }

  /** Resumes a login after the app completed the second factor: authorize → exchange → signed in. */
  continueLogin(): Observable<LoginStep> {
    return this.#chain<LoginStep>((emit, signal) => this.#finishLogin(emit, signal));
  }

  /** What start-up runs (at most once): stored tokens, the other tabs, a silent authorize, else signed out. */
  restore(): Promise<void> {
    return this.#engine.start();
  }

  /** The access token for code outside HttpClient (refreshed first when due), or null when signed out. */
  getAccessToken(): Promise<string | null> {
    return this.#engine.tokenForRequest();
  }

  /** {@link getAccessToken} as a cold Observable. */
  accessToken$(): Observable<string | null> {
    return defer(() => from(this.#engine.tokenForRequest()));
  }

  /**
   * Machine-to-machine sign-in (password grant) for `core_ib` / `lk` on the server
   * platform. Needs `withMachineToMachine()`, so that browser bundles carry no password-grant code.
   */
  machineToMachineSignIn(login: string, password: string): Observable<IdentitySession> {
    return this.#step(async (signal) => {
      if (!this.#machineToMachine)
        throw new TypeError(
          ngDevMode
            ? 'b2trader.identity.auth: machineToMachineSignIn() needs withMachineToMachine() in provideIdentityAuth().'
            : 'b2trader.identity.auth: withMachineToMachine() missing',
        );
      if (!this.#onServer)
        throw new TypeError(
          ngDevMode
            ? 'b2trader.identity.auth: machineToMachineSignIn() runs on the server platform only.'
            : 'b2trader.identity.auth: server platform only',
        );
      return this.#engine.machineToMachineSignIn(this.#machineToMachine, login, password, signal);
    });
  }

  async #finishLogin(emit: (step: LoginStep) => void, signal: AbortSignal): Promise<void> {
    emit({ step: 'authorizing' });
    const code = await this.#engine.authorize(signal);
    emit({ step: 'exchanging' });
    emit({ step: 'signed-in', session: await this.#engine.exchange(code, signal) });
  }

  /** A cold Observable over an async step; unsubscribing aborts it. */
  #step<T>(run: (signal: AbortSignal) => Promise<T>): Observable<T> {
    return this.#chain<T>(async (emit, signal) => emit(await run(signal)));
  }

  #chain<T>(run: (emit: (value: T) => void, signal: AbortSignal) => Promise<void>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const abort = new AbortController();
      run((value) => subscriber.next(value), abort.signal).then(
        () => subscriber.complete(),
        (err) => subscriber.error(err),
      );
      return () => abort.abort();
    });
  }
}
