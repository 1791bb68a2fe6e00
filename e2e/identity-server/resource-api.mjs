// The protected resource APIs of B2Trader, enough of them to prove a bearer token
// works: FrontOffice and BackOffice each have one endpoint.
import { createLocalJWKSet, jwtVerify } from 'jose';

import { RESOURCE } from './clients.mjs';
import { sendJson } from './http-util.mjs';

const ENDPOINTS = {
  '/api/frontoffice/v1/account': {
    scope: 'FrontOffice',
    answer: (claims) => ({ accountId: claims.sub, balances: [{ currency: 'USD', amount: '1000.00' }] }),
  },
  '/api/backoffice/v1/users': {
    scope: 'BackOffice',
    answer: () => ({ users: [{ id: '10e3bfcf-56f7-421d-84ea-1700209ae121', email: 'trader@example.com' }] }),
  },
};

/**
 * @param {{ issuer: string, publicJwk: object, stats: { count(name: string): void } }} deps
 */
export function createResourceApi({ issuer, publicJwk, stats }) {
  const jwks = createLocalJWKSet({ keys: [publicJwk] });

  /** Verifies an access token of this emulator: signature, iss, aud, exp, typ. */
  async function verifyAccessToken(token) {
    const { payload } = await jwtVerify(token, jwks, {
      issuer,
      audience: RESOURCE,
      typ: 'at+jwt',
      algorithms: ['RS256'],
      clockTolerance: 0,
      requiredClaims: ['exp', 'iat', 'sub'],
    });
    return payload;
  }

  function unauthorized(res, description) {
    stats.count('api401');
    sendJson(
      res,
      401,
      { title: 'Unauthorized', status: 401 },
      {
        'www-authenticate': `Bearer error="invalid_token", error_description="${description}"`,
      },
    );
  }

  return {
    verifyAccessToken,
    /** @returns {Promise<boolean>} whether the path is one of the API's */
    async handle(req, res, path) {
      const endpoint = ENDPOINTS[path];
      if (!endpoint) return false;
      if (req.method !== 'GET') {
        sendJson(res, 405, { title: 'Method Not Allowed', status: 405 }, { allow: 'GET' });
        return true;
      }
      const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (!match) {
        stats.count('api401');
        sendJson(res, 401, { title: 'Unauthorized', status: 401 }, { 'www-authenticate': 'Bearer' });
        return true;
      }
      let claims;
      try {
        claims = await verifyAccessToken(match[1]);
      } catch (err) {
        unauthorized(res, err?.code === 'ERR_JWT_EXPIRED' ? 'The access token expired' : 'The access token is invalid');
        return true;
      }
      const scopes = String(claims.scope ?? '').split(' ');
      if (!scopes.includes(endpoint.scope)) {
        // RFC 6750 §3.1: a good token without the scope is forbidden, not unauthorized
        stats.count('api403');
        sendJson(
          res,
          403,
          { title: 'Forbidden', status: 403 },
          {
            'www-authenticate': `Bearer error="insufficient_scope", scope="${endpoint.scope}"`,
          },
        );
        return true;
      }
      stats.count('api200');
      sendJson(res, 200, endpoint.answer(claims));
      return true;
    },
  };
}
