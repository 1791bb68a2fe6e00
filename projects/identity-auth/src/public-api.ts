/*
 * Public API of b2trader.identity.auth (the Angular layer).
 */
export { CLIENT_SCOPES, type KnownClientId } from 'b2trader.identity.auth/core';
