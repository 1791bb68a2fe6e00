/*
 * Public API of b2trader.identity.auth (the Angular layer).
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
} from './lib/session/identity-auth-events';
export {
  IDENTITY_AUTH_HTTP_SETTINGS,
  type IdentityAuthHttpSettings,
  type IdentityAuthStatus,
  type IdentitySession,
  SessionAccess,
} from './lib/session/session-access';
export type { RefreshTiming } from './lib/session/refresh-schedule';
export type { IdentityTokenRecord } from './lib/session/token-record';
export { type IdentityTokenStore, MemoryTokenStore } from './lib/session/token-store';
export {
  IdentityAuthPlatform,
  type Cancel,
  type TabChannel,
  type TabLocks,
} from './lib/session/identity-auth-platform';
