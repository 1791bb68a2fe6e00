/**
 * What every token-endpoint call shares: send, check the status, let oauth4webapi
 * validate the answer, and turn it into a TokenSet. One place for the error mapping.
 */
import * as oauth from 'oauth4webapi';

import type { IdentityClient } from './config';
import { LIBRARY_ERROR_CODES } from './error-codes';
import { errorFromHttpAnswer, IdentityAuthError, type IdentityAuthStep, issuerMismatchAdvice } from './errors';
import { type IdTokenClaims, parseTokenResponse, type TokenSet } from './token-set';
import { type CallOptions, readText, withTransport } from './transport';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/** oauth4webapi request options every token call passes. */
export function requestOptions(client: IdentityClient, signal: AbortSignal) {
  return {
    signal,
    // No cookies on token requests: none is needed, and with credentials a 401 carrying
    // `WWW-Authenticate: Basic` (a wrong secret) makes a browser hold the request for a login prompt.
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
      client.fetch(url, { ...(init as RequestInit), credentials: 'omit' }),
    [oauth.allowInsecureRequests]: client.allowInsecureRequests,
  } as const;
}

interface TokenCall {
  step: IdentityAuthStep;
  send(signal: AbortSignal): Promise<Response>;
  process(response: Response): Promise<oauth.TokenEndpointResponse>;
  previousRefreshToken?: string;
  expectedSubject?: string;
  /** What this call handled (password, code, verifier, refresh token): redacted from any error. */
  secrets: readonly (string | undefined)[];
}

/**
 * Sends a token request and returns its TokenSet, or throws a typed error.
 *
 * The answer is read twice: once by {@link parseTokenResponse} (strict shape checks,
 * the property-tested path) and once by oauth4webapi (id_token validation).
 */
export async function runTokenRequest(
  client: IdentityClient,
  call: TokenCall,
  options?: CallOptions,
): Promise<TokenSet> {
  const { step } = call;
  return withTransport(
    client,
    step,
    options,
    async (signal) => {
      const response = await call.send(signal);
      const receivedAt = Date.now();
      if (!response.ok) {
        throw errorFromHttpAnswer(step, response.status, response.headers, await readText(response, step, signal));
      }
      const contentType = response.headers.get('content-type') ?? '';
      if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim())) {
        throw new IdentityAuthError(
          'invalid_response',
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `${step} failed: the answer is not JSON (${contentType.split(';')[0] || 'no content type'}); nothing was kept.`
            : '',
          { step, status: response.status, code: LIBRARY_ERROR_CODES.notJson },
        );
      }
      const shape = parseTokenResponse(await readText(response.clone(), step, signal), receivedAt, {
        step,
        previousRefreshToken: call.previousRefreshToken,
      });
      let result: oauth.TokenEndpointResponse;
      try {
        result = await call.process(response);
      } catch (err) {
        if (err instanceof IdentityAuthError || signal.aborted) throw err;
        throw new IdentityAuthError(
          'invalid_response',
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `${step} failed: ${err instanceof Error ? err.message : 'invalid answer'}${issuerMismatchAdvice(err)}; nothing was kept.`
            : '',
          {
            step,
            status: response.status,
            code: (err as { code?: string }).code,
            cause: err,
          },
        );
      }
      const claims = oauth.getValidatedIdTokenClaims(result) as IdTokenClaims | undefined;
      // No id_token, nothing to compare: the refresh token is bound to its grant by the server.
      if (call.expectedSubject !== undefined && claims !== undefined && claims.sub !== call.expectedSubject) {
        throw new IdentityAuthError(
          'invalid_response',
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `${step} failed: the id_token is for another subject; nothing was kept.`
            : '',
          { step, status: response.status, code: LIBRARY_ERROR_CODES.subjectMismatch },
        );
      }
      return claims === undefined ? shape : { ...shape, idTokenClaims: claims };
    },
    call.secrets,
  );
}
