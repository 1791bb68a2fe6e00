/**
 * The 1.2-compatible class: the same constructor and method names, now a thin
 * facade over the protocol functions, with typed results and errors.
 */
import { authorize } from './authorize';
import { isIdentityAuthError } from './errors';
import type { AuthorizationResult } from './authorize';
import { createIdentityClient, type IdentityClient, type IdentityClientOptions } from './config';
import { passwordGrant } from './password-grant';
import { signIn, type SignInResult } from './sign-in';
import { signOut } from './sign-out';
import { exchangeCode, refreshTokens } from './token';
import type { TokenSet } from './token-set';

/** Options of {@link IdentityAuth}'s options form. */
export type IdentityAuthOptions = IdentityClientOptions;

/** Codes waiting for their exchange; more than this means they are being abandoned. */
const MAX_PENDING_CODES = 16;
/** Refresh tokens whose user is remembered; older ones are refreshed without the check. */
const MAX_REMEMBERED_SUBJECTS = 64;

/**
 * Signs in to B2Trader's IdentityServer: the 1.2 API, typed.
 *
 * Every `authorize()` has its own PKCE verifier, state and nonce, kept with the code
 * it returns, so two logins on one instance cannot mix them. In Node the instance
 * keeps the session cookie of its last `signIn()`, so `authorize()` needs no argument
 * (one user at a time that way; pass `{ Cookie }` to drive several). Each refresh
 * token remembers its user: a refresh answer for someone else is refused.
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
  #cookies: readonly string[] = [];

  /** 1.2 form: base URL, client id, and the secret of `spa_admin`, `core_ib` or `lk`. */
  constructor(url: string, clientId: string, clientSecret?: string);
  /** Options form. */
  constructor(options: IdentityAuthOptions);
  constructor(urlOrOptions: string | IdentityAuthOptions, clientId?: string, clientSecret?: string) {
    this.client = createIdentityClient(
      typeof urlOrOptions === 'string'
        ? { url: urlOrOptions, clientId: clientId as string, ...(clientSecret === undefined ? {} : { clientSecret }) }
        : urlOrOptions,
    );
  }

  /** Step 1: email and password. @see {@link signIn} */
  async signIn(email: string, password: string): Promise<SignInResult> {
    // A failed sign-in must not leave an earlier user's session cookie in use.
    this.#cookies = [];
    const result = await signIn(this.client, email, password);
    if (result.cookies.length > 0) this.#cookies = result.cookies;
    return result;
  }

  /**
   * Step 2: the authorization code. `headers` (e.g. `{ Cookie }` from 1.2's Node
   * example) replace the session cookie this instance kept from `signIn()`.
   * @see {@link authorize}
   */
  async authorize(headers?: HeadersInit): Promise<string> {
    const sessionHeaders = headers ?? (this.#cookies.length > 0 ? { cookie: this.#cookies.join('; ') } : undefined);
    const result = await authorize(this.client, { headers: sessionHeaders });
    this.#pending.set(result.code, result);
    while (this.#pending.size > MAX_PENDING_CODES) this.#pending.delete(this.#pending.keys().next().value as string);
    return result.code;
  }

  /** Step 3: tokens for a code this instance's `authorize()` returned. @see {@link exchangeCode} */
  async retrieveToken(code: string): Promise<TokenSet> {
    const result = this.#pending.get(code);
    if (!result) {
      throw new TypeError(
        'b2trader.identity.auth: retrieveToken() needs a code returned by authorize() of the same instance (its PKCE verifier and nonce are kept there)',
      );
    }
    let tokens: TokenSet;
    try {
      tokens = await exchangeCode(this.client, result);
    } catch (err) {
      // After a network blip or a 5xx the same code may still be good: keep it for a retry.
      if (!isIdentityAuthError(err) || !err.transient) this.#pending.delete(code);
      throw err;
    }
    this.#pending.delete(code);
    return this.#remember(tokens);
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
    const headers = this.#cookies.length > 0 ? { cookie: this.#cookies.join('; ') } : undefined;
    try {
      await signOut(this.client, accessToken, refreshToken, { headers });
    } finally {
      this.#cookies = [];
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
      while (this.#subjects.size > MAX_REMEMBERED_SUBJECTS)
        this.#subjects.delete(this.#subjects.keys().next().value as string);
    }
    return tokens;
  }
}
