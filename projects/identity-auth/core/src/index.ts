/*
 * Public API of b2trader.identity.auth/core: the protocol client, free of Angular and rxjs.
 */
export * from './clients';
