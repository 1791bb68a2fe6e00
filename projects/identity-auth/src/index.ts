/*
 * Entry point of b2trader.identity.auth: the public API, and the private names that
 * only b2trader.identity.auth/testing may use.
 */
export * from './public-api';
export * from './private-export';
