// The B2Trader-specific identity endpoints that are not OAuth: sign-in (with the
// emulator's own second-factor step), sign-out, and the two landing pages.
import { randomBytes } from 'node:crypto';

import { findAccountByEmail, findAccountById, publicAccount } from './accounts.mjs';
import { parseLenientCookies } from './cookies.mjs';
import { ExpiringMap } from './expiring-map.mjs';
import { readJson, sendEmpty, sendHtml, sendJson } from './http-util.mjs';

const SIGN_IN_FAILED = { errors: [{ code: 'SignInUnsuccessful', message: 'The sign-in was unsuccessful' }] };
const SECOND_FACTOR_FAILED = {
  errors: [{ code: 'SecondFactorUnsuccessful', message: 'The second factor was not accepted' }],
};
const PENDING_COOKIE = 'idsrv.2fa';
/** How long a sign-in waits for its second factor, in seconds. */
const SECOND_FACTOR_TTL = 600;

/**
 * @param {{ provider: import('oidc-provider').default, stats: { count(name: string): void }, verifyAccessToken(token: string): Promise<object>, sessionTtl: number }} deps
 */
export function createB2TraderRoutes({ provider, stats, verifyAccessToken, sessionTtl }) {
  /** second-factor attempts waiting for their code: pending id → account id */
  const pending = new ExpiringMap();
  const sessionCookieName = provider.cookieName('session');

  async function startSession(res, account, extraCookies = []) {
    const session = new provider.Session();
    session.loginAccount({ accountId: account.id });
    await session.save(sessionTtl);
    const expires = new Date(Date.now() + sessionTtl * 1000).toUTCString();
    const cookies = [
      ...extraCookies,
      `${sessionCookieName}=${session.id}; path=/; expires=${expires}; samesite=lax; httponly`,
    ];
    sendJson(res, 200, { secondFactorRequired: false, account: publicAccount(account) }, { 'set-cookie': cookies });
  }

  async function signIn(req, res) {
    const body = await readJson(req);
    const account = body && typeof body.email === 'string' ? findAccountByEmail(body.email) : undefined;
    if (!account || typeof body.password !== 'string' || body.password !== account.password) {
      stats.count('signInFailed');
      return sendJson(res, 400, SIGN_IN_FAILED);
    }
    stats.count('signInSucceeded');
    if (account.secondFactor) {
      const id = randomBytes(16).toString('hex');
      pending.set(id, account.id, SECOND_FACTOR_TTL);
      return sendJson(
        res,
        200,
        { secondFactorRequired: true, account: publicAccount(account) },
        {
          'set-cookie': `${PENDING_COOKIE}=${id}; path=/identity; max-age=${SECOND_FACTOR_TTL}; samesite=lax; httponly`,
        },
      );
    }
    return startSession(res, account);
  }

  // The emulator's own second-factor step: B2Trader does not document its endpoint.
  async function secondFactor(req, res) {
    const body = await readJson(req);
    const id = parseLenientCookies(req.headers.cookie).get(PENDING_COOKIE);
    const accountId = id ? pending.get(id) : undefined;
    const account = accountId ? findAccountById(accountId) : undefined;
    if (!account || !body || body.code !== account.secondFactor) {
      return sendJson(res, 400, SECOND_FACTOR_FAILED);
    }
    pending.delete(id);
    return startSession(res, account, [`${PENDING_COOKIE}=; path=/identity; expires=Thu, 01 Jan 1970 00:00:00 GMT`]);
  }

  async function signOut(req, res) {
    const auth = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    let claims;
    try {
      claims = match ? await verifyAccessToken(match[1]) : undefined;
    } catch {
      claims = undefined;
    }
    if (!claims) {
      return sendEmpty(res, 401, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    const body = await readJson(req);
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    if (!isObject || (body.refresh_token !== undefined && typeof body.refresh_token !== 'string')) {
      return sendJson(res, 400, {
        errors: [{ code: 'InvalidRequest', message: 'The body must be {} or {"refresh_token": "..."}' }],
      });
    }
    const clientId = claims.client_id;
    if (body.refresh_token) {
      const rt = await provider.RefreshToken.find(body.refresh_token);
      if (rt && rt.accountId === claims.sub && rt.clientId === clientId) {
        await rt.destroy();
        stats.count('refreshTokensRevoked');
      }
    } else {
      for (const grantId of grantsOf(claims.sub, clientId)) {
        await provider.Grant.adapter.revokeByGrantId(grantId);
        const grant = await provider.Grant.find(grantId);
        if (grant) await grant.destroy();
        stats.count('grantsRevoked');
      }
    }
    // A browser sign-out also ends the identity session cookie, if it came along.
    const sessionId = parseLenientCookies(req.headers.cookie).get(sessionCookieName);
    const headers = {};
    if (sessionId) {
      const session = await provider.Session.find(sessionId);
      if (session) await session.destroy();
      headers['set-cookie'] =
        `${sessionCookieName}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly`;
    }
    return sendEmpty(res, 204, headers);
  }

  /** grant ids issued for one user and client, remembered as grants are saved */
  const grantsByUserClient = new Map();
  provider.on('grant.saved', (grant) => {
    const key = `${grant.accountId} ${grant.clientId}`;
    if (!grantsByUserClient.has(key)) grantsByUserClient.set(key, new Set());
    grantsByUserClient.get(key).add(grant.jti);
  });
  function grantsOf(accountId, clientId) {
    return [...(grantsByUserClient.get(`${accountId} ${clientId}`) ?? [])];
  }

  const routes = {
    'POST /identity/sign-in': signIn,
    'POST /identity/sign-in/second-factor': secondFactor,
    'POST /identity/sign-out': signOut,
    'GET /identity/unauthorized': (_req, res) =>
      sendHtml(res, 200, '<!doctype html><title>Unauthorized</title><p>Sign in first.</p>'),
    'GET /identity/sign-in-done': (_req, res) =>
      sendHtml(res, 200, '<!doctype html><title>Signed in</title><p>Signed in.</p>'),
  };

  return {
    /** @returns {Promise<boolean>} whether the request was one of these routes */
    async handle(req, res, path) {
      const route = routes[`${req.method} ${path}`];
      if (!route) return false;
      await route(req, res);
      return true;
    },
  };
}
