/**
 * Step 1 of the login chain: email and password for an identity session cookie.
 *
 * @see docs/protocol.md §1
 */
import { IDENTITY_PATHS } from './clients';
import type { IdentityClient } from './config';
import { cookiesFromHeaders } from './cookies';
import { LIBRARY_ERROR_CODES } from './error-codes';
import { errorFromB2TraderBody, errorFromHttpAnswer, IdentityAuthError, optionError } from './errors';
import { isRecord, parseJsonOrUndefined } from './json';
import { type CallOptions, readText, withTransport } from './transport';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/** The account of a signed-in user, as the identity service describes it. */
export interface SignInAccount {
  readonly id: string;
  readonly email: string;
  readonly nickname: string;
}

/** The answer of a successful sign-in. */
export interface SignInResult {
  /**
   * True when the account has a second factor: no session that authorize accepts
   * exists yet. The app finishes the second factor, then continues with authorize.
   */
  readonly secondFactorRequired: boolean;
  readonly account: SignInAccount;
  /**
   * The answer's headers. In Node, `headers.get('set-cookie')` is the session cookie
   * (1.2's example forwards it to `authorize({ Cookie })`). Browsers hide it.
   */
  readonly headers: Headers;
  /** `name=value` of every cookie the answer set (Node only; empty in browsers). Pass the result to `authorize(client, { signInResult })`. */
  readonly cookies: readonly string[];
}

function readAccount(value: unknown): SignInAccount | undefined {
  if (!isRecord(value)) return undefined;
  const { id, email, nickname } = value;
  if (typeof id !== 'string' || typeof email !== 'string') return undefined;
  return { id, email, nickname: typeof nickname === 'string' ? nickname : '' };
}

/**
 * Signs in with email and password. In a browser the session cookie is kept by
 * the browser (credentials are included); in Node it is in `result.cookies`, and
 * `authorize(client, { signInResult: result })` sends it on.
 *
 * Throws `invalid_credentials` (with the server's `code`, e.g. `SignInUnsuccessful`)
 * for a refused sign-in, `rate_limited`/`server`/`network`/`timeout` otherwise.
 *
 * @see docs/protocol.md §1
 * @example
 * ```ts
 * const result = await signIn(client, 'trader@example.com', password);
 * if (result.secondFactorRequired) await askForSecondFactor();
 * ```
 */
export async function signIn(
  client: IdentityClient,
  email: string,
  password: string,
  options?: CallOptions,
): Promise<SignInResult> {
  if (typeof email !== 'string' || email === '')
    throw optionError(
      'email',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"email" must be a non-empty string' : '',
    );
  if (typeof password !== 'string' || password === '')
    throw optionError(
      'password',
      typeof ngDevMode === 'undefined' || ngDevMode ? '"password" must be a non-empty string' : '',
    );
  const step = 'sign-in';
  return withTransport(
    client,
    step,
    options,
    async (signal) => {
      const response = await client.fetch(client.url(IDENTITY_PATHS.signIn), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
        credentials: 'include',
        signal,
      });
      const text = await readText(response, step, signal);
      const status = response.status;
      if (!response.ok) throw errorFromHttpAnswer(step, status, response.headers, text);
      const body = parseJsonOrUndefined(text);
      if (body === undefined) {
        throw new IdentityAuthError(
          'invalid_response',
          typeof ngDevMode === 'undefined' || ngDevMode ? 'sign-in failed: the answer is not JSON.' : '',
          {
            step,
            status,
            code: LIBRARY_ERROR_CODES.notJson,
          },
        );
      }
      const refused = errorFromB2TraderBody(step, status, body);
      if (refused) throw refused;
      const account = isRecord(body) ? readAccount(body['account']) : undefined;
      if (!isRecord(body) || !account) {
        throw new IdentityAuthError(
          'invalid_response',
          typeof ngDevMode === 'undefined' || ngDevMode ? 'sign-in failed: the answer has no account.' : '',
          {
            step,
            status,
          },
        );
      }
      return {
        secondFactorRequired: body['secondFactorRequired'] === true,
        account,
        headers: response.headers,
        cookies: cookiesFromHeaders(response.headers),
      };
    },
    [password],
  );
}
