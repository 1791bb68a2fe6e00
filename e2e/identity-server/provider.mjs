// The OpenID provider itself: oidc-provider configured to behave like B2Trader's
// Duende IdentityServer for a user who is already signed in.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { findAccountById } from './accounts.mjs';
import { clientMetadata, isLoopbackSignInDone, RESOURCE, RESOURCE_SCOPES, resourceScopesOf } from './clients.mjs';
import { isLoopbackUrl } from './loopback.mjs';
import { createMemoryAdapter } from './memory-adapter.mjs';
import { Provider } from './oidc-provider.mjs';

let signingKeys;

/**
 * RSA key generation is a random search and has been seen to stall on a loaded
 * machine: when one attempt takes over 5 s another starts, and the first to finish wins.
 */
function rsaKeyPairWithRetry(attempts = 4) {
  const generate = promisify(generateKeyPair);
  return new Promise((resolve, reject) => {
    let settled = false;
    let failures = 0;
    const start = (left) => {
      generate('rsa', { modulusLength: 2048 }).then(
        (pair) => {
          if (!settled) {
            settled = true;
            resolve(pair);
          }
        },
        (err) => {
          failures += 1;
          if (!settled && failures >= attempts) reject(err);
        },
      );
      if (left > 1) setTimeout(() => settled || start(left - 1), 5000).unref();
    };
    start(attempts);
  });
}

/**
 * The RS256 key pair of this process, made once off the main thread: every
 * emulator a process starts signs with it, and a restart makes a new one.
 */
export function signingKeyPair() {
  signingKeys ??= rsaKeyPairWithRetry().then(({ privateKey, publicKey }) => {
    const kid = `emulator-${Date.now().toString(36)}`;
    return {
      privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' },
      publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' },
    };
  });
  return signingKeys;
}

/**
 * @param {{ publicUrl: string, accessTokenTtl: number, refreshTokenTtl: number, sessionTtl: number, keys: { privateJwk: object, publicJwk: object } }} options
 * @returns {{ provider: import('oidc-provider').default, publicJwk: object, privateJwk: object }}
 */
export function createProvider({ publicUrl, accessTokenTtl, refreshTokenTtl, sessionTtl, keys }) {
  const { privateJwk, publicJwk } = keys;

  const provider = new Provider(`${publicUrl}/identity`, {
    adapter: createMemoryAdapter(),
    clients: clientMetadata(publicUrl),
    jwks: { keys: [privateJwk] },
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub'], email: ['email'], profile: ['nickname'] },
    conformIdTokenClaims: false,
    async findAccount(_ctx, id) {
      const account = findAccountById(id);
      if (!account) return undefined;
      return {
        accountId: account.id,
        async claims() {
          return { sub: account.id, email: account.email, nickname: account.nickname };
        },
      };
    },
    routes: {
      authorization: '/connect/authorize',
      token: '/connect/token',
      jwks: '/.well-known/openid-configuration/jwks',
      userinfo: '/connect/userinfo',
      end_session: '/connect/endsession',
      revocation: '/connect/revocation',
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resource, client) {
          if (resource !== RESOURCE) throw new Error('unknown resource');
          return {
            scope: resourceScopesOf(client.clientId).join(' ') || RESOURCE_SCOPES.join(' '),
            audience: RESOURCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: accessTokenTtl,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    pkce: { required: () => true },
    // Duende does not tie offline_access to prompt=consent; oidc-provider drops it
    // without one, so refresh tokens are issued on the grant type alone.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    // A `noRotate` fault answers a refresh without rotating (a refresh answer without a new refresh token).
    rotateRefreshToken: (ctx) => !ctx.req.fault?.noRotate,
    // A signed-in first-party user is never asked for consent: every B2Trader
    // client is granted its own scopes, so authorize answers one redirect.
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      const grantId = session.grantIdFor(client.clientId);
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!grant || grant.accountId !== session.accountId) {
        grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      }
      grant.addOIDCScope('openid offline_access');
      const resourceScopes = resourceScopesOf(client.clientId);
      if (resourceScopes.length) grant.addResourceScope(RESOURCE, resourceScopes.join(' '));
      await grant.save();
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    // Without a session the chain ends at /identity/unauthorized, as B2Trader's does.
    interactions: { url: () => '/identity/unauthorized' },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: refreshTokenTtl,
      Grant: 14 * 24 * 3600,
      Session: sessionTtl,
      Interaction: 600,
    },
    // Browser calls come from the page's own origin (through a proxy) or another
    // loopback origin in development; nothing else.
    clientBasedCORS: (_ctx, origin) => isLoopbackUrl(origin),
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>${out.error}</title><p>${out.error}: ${String(out.error_description ?? '').replace(/[<>&]/g, '')}</p>`;
    },
  });
  provider.proxy = true;

  const { redirectUriAllowed } = provider.Client.prototype;
  provider.Client.prototype.redirectUriAllowed = function allowLoopback(value) {
    return (
      (CLIENTS_WITH_REDIRECT.has(this.clientId) && isLoopbackSignInDone(value)) || redirectUriAllowed.call(this, value)
    );
  };

  return { provider, publicJwk, privateJwk };
}

const CLIENTS_WITH_REDIRECT = new Set(['spa', 'spa_admin']);
