/*
 * Public API of b2trader.identity.auth/testing: a controllable fake session for an
 * app's own unit tests, under the library's real IdentityAuthService, interceptor and guard.
 */
export type { LoginAnswer, RefreshFailure, TestAccount } from './fake-identity-session';
export { IdentityAuthTestingController } from './identity-auth-testing-controller';
export { type IdentityAuthTestingOptions, provideIdentityAuthTesting } from './provide-identity-auth-testing';
