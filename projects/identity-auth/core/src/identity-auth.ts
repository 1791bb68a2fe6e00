/**
 * The 1.2-compatible class: the same constructor and method names, now a thin
 * facade over the protocol functions, with typed results and errors.
 */
import { authorize } from './authorize';
import type { AuthorizationResult } from './authorize';
import { evictOldest } from './bounded';
import type { ClientId } from './clients';
import { createIdentityClient, type IdentityClient, type IdentityClientOptions } from './config';
import { cookieHeader } from './cookies';
import { passwordGrant } from './password-grant';
import { signIn, type SignInResult } from './sign-in';
import { signOut } from './sign-out';
import { exchangeCode, refreshTokens } from './token';
import type { TokenSet } from './token-set';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/** Options of {@link IdentityAuth}'s options form. */
export type IdentityAuthOptions = IdentityClientOptions;

/** Codes this instance's authorize() returned, kept for their exchange; older ones are dropped. */
const MAX_PENDING_CODES = 16;
/** Refresh tokens whose user is remembered; older ones are refreshed without the check. */
const MAX_REMEMBERED_SUBJECTS = 64;

/**
 * Signs in to B2Trader's IdentityServer: the 1.2 API, typed.
 *
 * Every `authorize()` has its own PKCE verifier, state and nonce, kept with the code
 * it returns, so two logins on one instance cannot mix them. In Node the instance
 * keeps the session cookie of its last successful `signIn()`, so `authorize()` needs
 * no argument (one user at a time that way; pass `{ Cookie }` to drive several). Each
 * refresh token remembers its user: a refresh answer for someone else is refused.
 *
 * @example
 * ```ts
 * const auth = new IdentityAuth('https://example.com', 'spa');
 * await auth.signIn(email, password);
 * const code = await auth.authorize();
 * const tokens = await auth.retrieveToken(code);
 * ```
 */
export class IdentityAuth {
  /** The resolved configuration, for the protocol functions. */
  readonly client: IdentityClient;
  readonly #pending = new Map<string, AuthorizationResult>();
  /** the `sub` each live refresh token belongs to, so a refresh answer for another user is refused */
  readonly #subjects = new Map<string, string>();
  /** the last successful sign-in, and the number of the signIn() call that made it */
  #signIn: { result: SignInResult; call: number } | undefined;
  #signInCalls = 0;

  /** 1.2 form: base URL, client id, and the secret of `spa_admin`, `core_ib` or `lk`. */
  constructor(url: string, clientId: ClientId, clientSecret?: string);
  /** Options form. */
  constructor(options: IdentityAuthOptions);
  constructor(urlOrOptions: string | IdentityAuthOptions, clientId?: ClientId, clientSecret?: string) {
    this.client = createIdentityClient(
      typeof urlOrOptions === 'string'
        ? { url: urlOrOptions, clientId: clientId as string, ...(clientSecret === undefined ? {} : { clientSecret }) }
        : urlOrOptions,
    );
  }

  /**
   * Step 1: email and password. A later successful sign-in replaces the kept session
   * cookie; a failed one drops the cookie of any sign-in that began before it, so
   * that an earlier user's session is not used by mistake. A sign-in still running
   * does not touch a login between its `signIn()` and `authorize()`.
   * @see {@link signIn}
   */
  async signIn(email: string, password: string): Promise<SignInResult> {
    const call = ++this.#signInCalls;
    try {
      const result = await signIn(this.client, email, password);
      if (!this.#signIn || this.#signIn.call < call) this.#signIn = { result, call };
      return result;
    } catch (err) {
      if (this.#signIn && this.#signIn.call < call) this.#signIn = undefined;
      throw err;
    }
  }

  /**
   * Step 2: the authorization code. `headers` (e.g. `{ Cookie }` from 1.2's Node
   * example) replace the session cookie this instance kept from `signIn()`.
   * @see {@link authorize}
   */
  async authorize(headers?: HeadersInit): Promise<string> {
    const result = await authorize(
      this.client,
      headers === undefined ? { signInResult: this.#signIn?.result } : { headers },
    );
    this.#pending.set(result.code, result);
    evictOldest(this.#pending, MAX_PENDING_CODES);
    return result.code;
  }

  /**
   * Step 3: tokens for a code this instance's `authorize()` returned. Concurrent calls
   * for one code share one request; a code already exchanged or refused is
   * `invalid_grant` (code `code_already_used`) without a request.
   * @see {@link exchangeCode}
   */
  async retrieveToken(code: string): Promise<TokenSet> {
    const result = typeof code === 'string' ? this.#pending.get(code) : undefined;
    if (!result) {
      throw new TypeError(
        typeof ngDevMode === 'undefined' || ngDevMode
          ? 'b2trader.identity.auth: retrieveToken(): "code" is not one this instance is keeping: ' +
              `it was used or dropped long ago (only the last ${MAX_PENDING_CODES} are kept, and codes expire), ` +
              "or it did not come from this instance's authorize(), where its PKCE verifier and nonce are kept"
          : 'b2trader.identity.auth: "code"',
      );
    }
    return this.#remember(await exchangeCode(this.client, result));
  }

  /** New tokens for a refresh token (one-time use). @see {@link refreshTokens} */
  async refreshToken(refreshToken: string): Promise<TokenSet> {
    const expectedSubject = this.#subjects.get(refreshToken);
    const tokens = await refreshTokens(this.client, refreshToken, { expectedSubject });
    if (tokens.refreshToken !== refreshToken) this.#subjects.delete(refreshToken);
    return this.#remember(tokens, expectedSubject);
  }

  /** Revokes one refresh token, or all of this user and client. Forget the tokens whatever happens. @see {@link signOut} */
  async signOut(accessToken: string, refreshToken?: string): Promise<void> {
    const headers = cookieHeader(this.#signIn?.result.cookies ?? []);
    try {
      await signOut(this.client, accessToken, refreshToken, { headers });
    } finally {
      this.#signIn = undefined;
      if (refreshToken !== undefined) this.#subjects.delete(refreshToken);
    }
  }

  /** Machine-to-machine sign-in (password grant; `core_ib` and `lk`; not for browsers). @see {@link passwordGrant} */
  async machineToMachineSignIn(email: string, password: string): Promise<TokenSet> {
    return this.#remember(await passwordGrant(this.client, email, password));
  }

  #remember(tokens: TokenSet, knownSubject?: string): TokenSet {
    const subject = tokens.idTokenClaims?.sub ?? knownSubject;
    if (tokens.refreshToken !== undefined && subject !== undefined) {
      this.#subjects.set(tokens.refreshToken, subject);
      evictOldest(this.#subjects, MAX_REMEMBERED_SUBJECTS);
    }
    return tokens;
  }
}
