/*
 * Public API of b2trader.identity.auth (the Angular layer).
 */
export { CLIENT_SCOPES, type KnownClientId } from 'b2trader.identity.auth/core';

// The HTTP edge: interceptor, API allow-list, route guard (issue 8).
export { type ApiMatcher, type ApiMatcherSettings, compileApiMatcher, isProtectedUrl } from './lib/http/api-matcher';
export { SKIP_IDENTITY_AUTH, skipIdentityAuth } from './lib/http/context';
export { IdentityAuthInterceptor, identityAuthInterceptor } from './lib/http/interceptor';
// For b2trader.identity.auth/testing only (ɵ: not part of the public API).
export {
  IDENTITY_AUTH_HTTP_SETTINGS as ɵIDENTITY_AUTH_HTTP_SETTINGS,
  type IdentityAuthHttpSettings as ɵIdentityAuthHttpSettings,
  type IdentitySession as ɵIdentitySession,
  SessionAccess as ɵSessionAccess,
} from './lib/session/session-access';
export {
  type GuardVerdict,
  guardVerdict,
  IDENTITY_AUTH_SIGN_IN_ROUTE,
  type IdentityAuthGuard,
  identityAuthGuard,
  identityAuthGuardWith,
  type IdentityAuthGuardOptions,
} from './lib/guard';
