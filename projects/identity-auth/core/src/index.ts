/*
 * Public API of b2trader.identity.auth/core: the protocol client, free of Angular
 * and rxjs, for browsers and Node. Each protocol step is a standalone function;
 * IdentityAuth is the 1.2-compatible facade over them.
 */
export { type ClientId, CLIENT_SCOPES, issuerForBaseUrl, type KnownClientId, scopeForClient } from './clients';
export { createIdentityClient, type IdentityClient, type IdentityClientOptions } from './config';
export { LIBRARY_ERROR_CODES, type LibraryErrorCode } from './error-codes';
export {
  errorFromHttpAnswer,
  IdentityAuthError,
  type IdentityAuthErrorDetails,
  type IdentityAuthErrorKind,
  type IdentityAuthStep,
  isIdentityAuthError,
  kindForOAuthError,
} from './errors';
export {
  DEFAULT_LIFETIME_SEC,
  type IdTokenClaims,
  MAX_LIFETIME_SEC,
  type TokenSet,
  tokenSetFromResponse,
  type TokenSetOptions,
} from './token-set';
export type { CallOptions } from './transport';
export { signIn, type SignInAccount, type SignInResult } from './sign-in';
export {
  authorize,
  type AuthorizationRequest,
  type AuthorizationResult,
  type AuthorizeOptions,
  validateAuthorizationResult,
} from './authorize';
export { exchangeCode, refreshTokens, type RefreshOptions } from './token';
export { passwordGrant } from './password-grant';
export { signOut, type SignOutOptions } from './sign-out';
export { IdentityAuth, type IdentityAuthOptions } from './identity-auth';
