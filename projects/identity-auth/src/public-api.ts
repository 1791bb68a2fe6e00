/*
 * Public API of b2trader.identity.auth (the Angular layer): only names apps use.
 * Every change here shows in api/identity-auth.api.md (`npm run api:update`).
 */
export { CLIENT_SCOPES, type KnownClientId } from 'b2trader.identity.auth/core';
export {
  IdentityAuthError,
  type IdentityAuthErrorKind,
  isIdentityAuthError,
  type SignInAccount,
  type SignInResult,
  type AuthorizationResult,
} from 'b2trader.identity.auth/core';

export type { IdentityAuthConfig, IdentityAuthConfigSource, IdentityTokenStorage } from './lib/identity-auth-config';
export {
  IdentityAuthFeatureKind,
  type IdentityAuthFeature,
  provideIdentityAuth,
  withMachineToMachine,
  withManualRestore,
  withTokenStore,
} from './lib/providers';
export { IdentityAuthModule } from './lib/identity-auth.module';
export { IdentityAuthService, type LoginStep } from './lib/identity-auth.service';
export type {
  IdentityAuthEvent,
  IdentityAuthEventOrigin,
  RefreshedEvent,
  RefreshFailedEvent,
  SessionExpiredEvent,
  SignedInEvent,
  SignedOutEvent,
  SignOutConfirmedEvent,
} from './lib/session/identity-auth-events';
export type { IdentityAuthStatus, IdentitySession } from './lib/session/session-access';
export type { RefreshTiming } from './lib/session/refresh-schedule';
export { SESSION_ERROR_CODES, type SessionErrorCode } from './lib/session/session-error-codes';
export type { IdentityTokenRecord } from './lib/session/token-record';
export { type IdentityTokenStore, MemoryTokenStore } from './lib/session/token-store';

// The HTTP edge: interceptor, API allow-list, route guard.
export { type ApiMatcher, type ApiMatcherSettings, compileApiMatcher } from './lib/http/api-matcher';
export { SKIP_IDENTITY_AUTH } from './lib/http/context';
export { IdentityAuthInterceptor, identityAuthInterceptor } from './lib/http/interceptor';
export {
  IDENTITY_AUTH_SIGN_IN_ROUTE,
  type IdentityAuthGuard,
  identityAuthGuard,
  identityAuthGuardWith,
  type IdentityAuthGuardOptions,
} from './lib/http/guard';
