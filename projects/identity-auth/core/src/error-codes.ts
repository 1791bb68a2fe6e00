/**
 * The error codes this library sets itself, as documented constants. They appear in
 * {@link IdentityAuthError.code} where the server gave no code of its own; the
 * server's codes (`SignInUnsuccessful`, `invalid_grant`, …) are passed on as sent.
 * oauth4webapi's own codes (`OAUTH_…`) may also appear, for id_token checks.
 *
 * @example
 * ```ts
 * if (isIdentityAuthError(err) && err.code === LIBRARY_ERROR_CODES.secondFactorPending) askForSecondFactor();
 * ```
 */
export const LIBRARY_ERROR_CODES = Object.freeze({
  /** authorize ended at `/identity/unauthorized`: there is no identity session (kind `login_required`). */
  noIdentitySession: 'no_identity_session',
  /** authorize ended at `/identity/unauthorized` after a sign-in that asked for a second factor (kind `login_required`). */
  secondFactorPending: 'second_factor_pending',
  /** authorize ended somewhere other than the registered redirect URI (kind `invalid_response`). */
  unexpectedRedirect: 'unexpected_redirect',
  /** the authorize answer's `state` is missing, different or repeated (kind `state_mismatch`). */
  stateMismatch: 'state_mismatch',
  /** the authorize answer has no `code` (kind `invalid_response`). */
  missingCode: 'missing_code',
  /** the authorize answer has `code` more than once (RFC 6749 §3.1; kind `invalid_response`). */
  repeatedCode: 'repeated_code',
  /** a redirect of the authorize request has a malformed `Location` (kind `invalid_response`). */
  invalidLocation: 'invalid_location',
  /** the authorize request was redirected more than 10 times (kind `invalid_response`). */
  tooManyRedirects: 'too_many_redirects',
  /** the authorize endpoint refused the request without redirecting: client id or redirect URI unknown (kind `invalid_client`). */
  authorizeRefused: 'authorize_refused',
  /** an answer that must be JSON is not (kind `invalid_response`). */
  notJson: 'not_json',
  /** a token answer has the wrong shape: no access token, not Bearer, bad `expires_in`, … (kind `invalid_response`). */
  invalidTokenResponse: 'invalid_token_response',
  /** a refreshed id_token is for another user than `expectedSubject` (kind `invalid_response`). */
  subjectMismatch: 'subject_mismatch',
  /** this code was already exchanged or refused; codes are one-time (kind `invalid_grant`). No request was sent. */
  codeAlreadyUsed: 'code_already_used',
  /** B2Trader's RFC 7807 `401` problem document (a wrong or used code or token); `description` has its title. */
  unauthorizedProblem: 'unauthorized_problem',
  /** HTTP 404 from an identity endpoint: `url` is probably not B2Trader's base URL (kind `invalid_response`). */
  endpointNotFound: 'endpoint_not_found',
});

/** One of {@link LIBRARY_ERROR_CODES}. */
export type LibraryErrorCode = (typeof LIBRARY_ERROR_CODES)[keyof typeof LIBRARY_ERROR_CODES];
