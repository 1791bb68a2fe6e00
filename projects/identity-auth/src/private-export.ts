/*
 * Private exports of b2trader.identity.auth for its own /testing entry point only.
 * The ɵ prefix says so: these names may change in any release, and apps must not
 * import them. The testing kit swaps one seam: the session driver under the real
 * IdentityAuthService, interceptor and guard.
 */
export { provideSessionDriver as ɵprovideSessionDriver } from './lib/providers';
export type { IdentityAuthHttpSettings as ɵIdentityAuthHttpSettings } from './lib/session/session-access';
export { SessionDriver as ɵSessionDriver } from './lib/session/session-driver';
