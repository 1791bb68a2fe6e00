// The B2Trader-compatible IdentityServer emulator: oidc-provider mounted under
// /identity, B2Trader's own identity endpoints, a resource API and test controls,
// on one plain node:http server.
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage } from 'node:http';

import { createB2TraderRoutes } from './b2trader-routes.mjs';
import { CLIENTS, RESOURCE } from './clients.mjs';
import { normaliseCookieHeader } from './cookies.mjs';
import { indexText } from './describe.mjs';
import { readBody, sendJson, sendText } from './http-util.mjs';
import { registerPasswordGrant } from './password-grant.mjs';
import { createProvider, signingKeyPair } from './provider.mjs';
import { createResourceApi } from './resource-api.mjs';
import { createStats, createTestControls } from './test-controls.mjs';

const CODE_NOT_USABLE = new Set([
  'authorization code not found',
  'authorization code is expired',
  'authorization code already consumed',
]);

/**
 * Starts the emulator. Unexpected errors (a bug, or the `crash` test fault) are
 * logged to stderr unless `quiet` is true; every error is answered either way.
 * @param {{ host?: string, port?: number, publicUrl?: string, accessTokenTtl?: number, refreshTokenTtl?: number, sessionTtl?: number, testControls?: boolean, quiet?: boolean, unref?: boolean }} [options]
 * @returns {Promise<{ url: string, publicUrl: string, issuer: string, close(): Promise<void> }>}
 */
export async function startIdentityServer(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const accessTokenTtl = options.accessTokenTtl ?? 30;
  const refreshTokenTtl = options.refreshTokenTtl ?? 14 * 24 * 3600;
  const sessionTtl = options.sessionTtl ?? 14 * 24 * 3600;
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  if (options.unref) server.unref();
  const { port } = server.address();
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
  const issuer = `${publicUrl}/identity`;

  const { provider, publicJwk, privateJwk } = createProvider({
    publicUrl,
    accessTokenTtl,
    refreshTokenTtl,
    sessionTtl,
    keys: await signingKeyPair(),
  });
  registerPasswordGrant(provider, { accessTokenTtl });
  const stats = createStats();
  const controls = options.testControls
    ? createTestControls({ stats, privateJwk, issuer, audience: RESOURCE })
    : undefined;
  const api = createResourceApi({ issuer, publicJwk, stats });
  const b2trader = createB2TraderRoutes({ provider, stats, verifyAccessToken: api.verifyAccessToken, sessionTtl });

  const logUnexpected = options.quiet ? () => {} : (what, err) => console.error(`identity-server: ${what}`, err);
  provider.on('grant.error', (ctx, err) => {
    ctx.state.grantErrorDetail = err.error_detail;
    if (err.error_detail === 'refresh token already used') stats.count('refreshReuseDetected');
  });
  // OAuth errors are answers, not incidents; a server_error is a bug worth seeing.
  provider.on('server_error', (_ctx, err) => logUnexpected('server_error', err));
  provider.use(adaptToB2Trader);

  const callback = provider.callback();
  server.on('request', (req, res) => {
    handle(req, res).catch((err) => {
      if (res.headersSent) return res.destroy();
      if (err?.status === 413) {
        // the rest of the body is still on the wire: close rather than read it
        return sendJson(res, 413, { title: 'Payload Too Large', status: 413 }, { connection: 'close' });
      }
      logUnexpected('unexpected error', err);
      return sendJson(res, 500, { title: 'Internal Server Error', status: 500 });
    });
  });

  async function handle(req, res) {
    // origin-form only (`/path?query`); `//x` is a path here, not a host
    if (!req.url.startsWith('/')) return sendJson(res, 400, { title: 'Bad Request', status: 400 });
    const url = new URL(`http://emulator${req.url}`);
    const path = url.pathname;
    if (controls && path.startsWith('/__')) return controls.handle(req, res, url);
    if (INDEX_PATHS.has(path) && (req.method === 'GET' || req.method === 'HEAD')) {
      return sendText(res, 200, indexText({ publicUrl, issuer, testControls: Boolean(controls) }));
    }
    if (req.headers.cookie) req.headers.cookie = normaliseCookieHeader(req.headers.cookie);

    stats.countRequest(req.method, path);
    const fault = controls?.take(req.method, path);
    req.fault = fault;
    if (fault && !(await controls.apply(fault, req, res))) return undefined;

    if (await b2trader.handle(req, res, path)) return undefined;
    if (await api.handle(req, res, path)) return undefined;
    if (path.startsWith('/identity/')) {
      const forProvider = path === '/identity/connect/token' && req.method === 'POST' ? await tokenRequest(req) : req;
      forProvider.originalUrl = req.url;
      forProvider.url = req.url.slice('/identity'.length);
      return callback(forProvider, res);
    }
    return sendJson(res, 404, { title: 'Not Found', status: 404 });
  }

  /**
   * The token request as oidc-provider should see it: a new request with the
   * same head and a rewritten form (read once here, so it is handed on unread).
   */
  async function tokenRequest(req) {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    // docs/protocol.md §3: the public client `spa` sends Basic with an empty secret.
    const auth = req.headers.authorization;
    if (auth && /^basic\s/i.test(auth)) {
      const decoded = Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      let clientId;
      try {
        clientId = decodeURIComponent(decoded.slice(0, colon));
      } catch {
        clientId = undefined; // left to oidc-provider, which refuses it as invalid_request
      }
      if (colon > 0 && decoded.slice(colon + 1) === '' && CLIENTS[clientId] && !CLIENTS[clientId].secret) {
        delete req.headers.authorization;
        if (!form.has('client_id')) form.set('client_id', clientId);
      }
    }
    const grantType = form.get('grant_type');
    // oidc-provider never records offline_access without prompt=consent (see provider.mjs).
    if (grantType === 'refresh_token' && form.has('scope')) {
      form.set(
        'scope',
        form
          .get('scope')
          .split(' ')
          .filter((s) => s && s !== 'offline_access')
          .join(' '),
      );
    }
    stats.countTokenRequest(grantType);
    const rewritten = withBody(req, Buffer.from(form.toString()));
    rewritten.grantType = grantType;
    return rewritten;
  }

  return {
    url,
    publicUrl,
    issuer,
    async close() {
      controls?.releaseHanging();
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

const INDEX_PATHS = new Set(['/', '/identity', '/identity/']);

/** A readable copy of a request whose body has been read: same head, `body` as its content. */
function withBody(req, body) {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.headers = { ...req.headers, 'content-length': String(body.length) };
  delete copy.headers['transfer-encoding'];
  copy.fault = req.fault;
  copy.complete = true; // else destroying the copy after its end would destroy the socket
  copy.push(body);
  copy.push(null);
  return copy;
}

/** Koa middleware: the few places where Duende's answers differ from oidc-provider's. */
async function adaptToB2Trader(ctx, next) {
  await next();
  if (ctx.method === 'POST' && ctx.path === '/connect/token') {
    const body = ctx.body;
    if (ctx.status === 200 && body && typeof body === 'object' && body.access_token) {
      const scopes = new Set(
        String(body.scope ?? '')
          .split(' ')
          .filter(Boolean),
      );
      if (body.id_token) scopes.add('openid');
      if (body.refresh_token) scopes.add('offline_access');
      const order = (s) => (s === 'openid' ? 0 : s === 'offline_access' ? 2 : 1);
      body.scope = [...scopes].sort((a, b) => order(a) - order(b)).join(' ');
    }
    // RFC 6749 §5.2 (and Duende) name this unauthorized_client.
    if (
      ctx.status === 400 &&
      body?.error === 'invalid_request' &&
      /grant type is not allowed/.test(body.error_description ?? '')
    ) {
      body.error = 'unauthorized_client';
    }
    // docs/protocol.md §3: a wrong or used code answers the RFC 7807 401 document.
    if (
      ctx.status === 400 &&
      body?.error === 'invalid_grant' &&
      ctx.req.grantType === 'authorization_code' &&
      CODE_NOT_USABLE.has(ctx.state.grantErrorDetail)
    ) {
      ctx.status = 401;
      ctx.type = 'application/problem+json';
      ctx.body = {
        type: 'https://tools.ietf.org/html/rfc7235#section-3.1',
        title: 'Unauthorized',
        status: 401,
        traceId: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`,
      };
    }
  }
  if (ctx.method === 'GET' && ctx.path === '/connect/authorize' && (ctx.status === 302 || ctx.status === 303)) {
    const location = ctx.response.get('location');
    const url = location ? new URL(location, 'http://relative.invalid') : undefined;
    const requested = typeof ctx.query.scope === 'string' ? ctx.query.scope.split(' ').filter(Boolean) : [];
    const allowed = CLIENTS[ctx.query.client_id]?.scope.split(' ') ?? [];
    const notAllowed = requested.filter((s) => !allowed.includes(s));
    if (url?.searchParams.has('code') && notAllowed.length > 0) {
      // oidc-provider drops a scope it cannot grant; Duende refuses the request.
      const given = new URLSearchParams(url.search);
      const answer = new URLSearchParams({
        error: 'invalid_scope',
        error_description: `scope not allowed for this client: ${notAllowed.join(' ')}`,
      });
      if (given.has('state')) answer.set('state', given.get('state'));
      if (given.has('iss')) answer.set('iss', given.get('iss'));
      url.search = answer.toString();
      ctx.response.set('location', url.href);
    } else if (url?.searchParams.has('code')) {
      // Duende's order and parameters: code, scope, state, session_state, iss.
      const given = new URLSearchParams(url.search);
      const answer = new URLSearchParams();
      answer.set('code', given.get('code'));
      answer.set('scope', typeof ctx.query.scope === 'string' ? ctx.query.scope : '');
      if (given.has('state')) answer.set('state', given.get('state'));
      answer.set('session_state', `${randomBytes(32).toString('base64url')}.${randomBytes(16).toString('hex')}`);
      for (const [k, v] of given) if (!answer.has(k)) answer.append(k, v);
      url.search = answer.toString();
      ctx.response.set('location', url.href);
    }
  }
}
