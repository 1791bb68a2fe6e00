/**
 * Signed id_tokens (RS256), as the identity service issues them. Core lets
 * oauth4webapi validate each one it receives: `alg` (RS256 expected), `iss`, `aud`,
 * `azp`, `exp`, `iat`, `sub` and the `nonce` of the authorize request. It fetches no
 * JWKS: an id_token straight from the token endpoint over TLS needs no signature
 * check (OpenID Connect Core §3.1.3.7), and the client is configured without a
 * `jwks_uri`. The tokens are signed anyway, so that they are the real thing.
 *
 * Signing uses node:crypto synchronously (jose would answer on WebCrypto's thread
 * pool, at a moment the scheduler does not control), with a 1024-bit key: a run
 * issues hundreds of tokens, and nothing here needs the key to be strong.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

let key: KeyObject | null = null;

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

export interface IdTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly iat: number;
  readonly exp: number;
  readonly nonce?: string;
  readonly sid?: string;
}

export function signIdToken(claims: IdTokenClaims): string {
  key ??= generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'races' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
}
