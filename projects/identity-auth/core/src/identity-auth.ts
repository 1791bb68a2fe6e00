/**
 * The 1.2-compatible class: the same constructor and method names, now a thin
 * facade over the protocol functions, with typed results and errors.
 */
import { authorize } from './authorize';
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

/**
 * Signs in to B2Trader's IdentityServer: the 1.2 API, typed.
 *
 * Every `authorize()` has its own PKCE verifier, state and nonce, kept with the code
 * it returns, so two logins on one instance cannot mix them. In Node the instance
 * keeps the session cookie of `signIn()` itself; `authorize()` then needs no argument.
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
  #cookies: readonly string[] = [];
  #subject: string | undefined;

  /** 1.2 form: base URL, client id, and the secret of `spa_admin`, `core_ib` or `lk`. */
  constructor(url: string, clientId: string, clientSecret?: string);
  /** Options form. */
  constructor(options: IdentityAuthOptions);
  constructor(urlOrOptions: string | IdentityAuthOptions, clientId?: string, clientSecret?: string) {
    this.client = createIdentityClient(typeof urlOrOptions === 'string'
      ? { url: urlOrOptions, clientId: clientId as string, ...(clientSecret === undefined ? {} : { clientSecret }) }
      : urlOrOptions);
  }

  /** Step 1: email and password. @see {@link signIn} */
  async signIn(email: string, password: string): Promise<SignInResult> {
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
      throw new TypeError('b2trader.identity.auth: retrieveToken() needs a code returned by authorize() of the same instance (its PKCE verifier and nonce are kept there)');
    }
    this.#pending.delete(code);
    const tokens = await exchangeCode(this.client, result);
    this.#subject = tokens.idTokenClaims?.sub ?? this.#subject;
    return tokens;
  }

  /** New tokens for a refresh token (one-time use). @see {@link refreshTokens} */
  async refreshToken(refreshToken: string): Promise<TokenSet> {
    const tokens = await refreshTokens(this.client, refreshToken, { expectedSubject: this.#subject });
    this.#subject = tokens.idTokenClaims?.sub ?? this.#subject;
    return tokens;
  }

  /** Revokes one refresh token, or all of this user and client. Forget the tokens whatever happens. @see {@link signOut} */
  async signOut(accessToken: string, refreshToken?: string): Promise<void> {
    try {
      await signOut(this.client, accessToken, refreshToken);
    } finally {
      this.#cookies = [];
      this.#subject = undefined;
    }
  }

  /** Machine-to-machine sign-in (password grant; `core_ib` and `lk`; not for browsers). @see {@link passwordGrant} */
  async machineToMachineSignIn(email: string, password: string): Promise<TokenSet> {
    const tokens = await passwordGrant(this.client, email, password);
    this.#subject = tokens.idTokenClaims?.sub ?? this.#subject;
    return tokens;
  }
}
