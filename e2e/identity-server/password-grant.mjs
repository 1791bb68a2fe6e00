// Machine-to-machine sign-in (docs/protocol.md §6): the resource owner password grant,
// which oidc-provider does not ship, for the confidential clients core_ib and lk.
import { findAccountByEmail } from './accounts.mjs';
import { CLIENTS, RESOURCE, resourceScopesOf } from './clients.mjs';
import { errors } from './oidc-provider.mjs';

/** @param {import('oidc-provider').default} provider */
export function registerPasswordGrant(provider, { accessTokenTtl }) {
  provider.registerGrantType(
    'password',
    async (ctx) => {
      const { client, params } = ctx.oidc;
      if (!params.username || !params.password) {
        throw new errors.InvalidRequest('username and password are required');
      }
      const allowed = CLIENTS[client.clientId]?.scope.split(' ') ?? [];
      const requested = params.scope ? String(params.scope).split(' ').filter(Boolean) : allowed;
      if (requested.some((s) => !allowed.includes(s))) {
        throw new errors.InvalidScope(
          'requested scope is not allowed for this client',
          requested.find((s) => !allowed.includes(s)),
        );
      }
      const account = findAccountByEmail(params.username);
      if (!account || account.password !== params.password || account.secondFactor) {
        throw new errors.InvalidGrant('invalid resource owner credentials');
      }

      const resourceScopes = resourceScopesOf(client.clientId).filter((s) => requested.includes(s));
      const grant = new provider.Grant({ clientId: client.clientId, accountId: account.id });
      grant.addOIDCScope(requested.filter((s) => !resourceScopes.includes(s)).join(' '));
      if (resourceScopes.length) grant.addResourceScope(RESOURCE, resourceScopes.join(' '));
      const grantId = await grant.save();

      const resourceServer = new provider.ResourceServer(RESOURCE, {
        scope: resourceScopes.join(' '),
        audience: RESOURCE,
        accessTokenFormat: 'jwt',
        accessTokenTTL: accessTokenTtl,
        jwt: { sign: { alg: 'RS256' } },
      });
      const at = new provider.AccessToken({
        accountId: account.id,
        client,
        grantId,
        gty: 'password',
        scope: resourceScopes.join(' '),
        resourceServer,
      });
      const accessToken = await at.save();

      let refreshToken;
      if (requested.includes('offline_access')) {
        const rt = new provider.RefreshToken({
          accountId: account.id,
          client,
          grantId,
          gty: 'password',
          scope: requested.join(' '),
          resource: RESOURCE,
          rotations: 0,
        });
        refreshToken = await rt.save();
      }

      let idToken;
      if (requested.includes('openid')) {
        const token = new provider.IdToken(
          { sub: account.id, email: account.email, nickname: account.nickname },
          { ctx },
        );
        token.scope = 'openid';
        idToken = await token.issue({ use: 'idtoken' });
      }

      ctx.body = {
        id_token: idToken,
        access_token: accessToken,
        expires_in: at.expiration,
        token_type: 'Bearer',
        refresh_token: refreshToken,
        scope: requested.join(' '),
      };
    },
    ['username', 'password', 'scope'],
  );
}
