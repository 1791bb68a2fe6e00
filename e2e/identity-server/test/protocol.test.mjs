// The emulator speaks docs/protocol.md: walked step by step with plain fetch.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  authorizeOnce,
  authorizeUrl,
  basic,
  callApi,
  CookieJar,
  decodeJwt,
  loginChain,
  passwordGrant,
  pkce,
  refresh,
  SCOPES,
  SECRETS,
  signIn,
  stats,
  tokenRequest,
  TRADER,
  TWO_FACTOR,
} from './helpers.mjs';
import { useEmulator } from './helpers.mjs';

let base;
useEmulator((url) => {
  base = url;
});

describe('sign-in (docs/protocol.md §1)', () => {
  test('answers the account and sets an HttpOnly session cookie', async () => {
    const jar = new CookieJar();
    const { response, body } = await signIn(base, jar);
    assert.equal(response.status, 200);
    assert.deepEqual(body, {
      secondFactorRequired: false,
      account: { nickname: 'trader', email: 'trader@example.com', id: '10e3bfcf-56f7-421d-84ea-1700209ae121' },
    });
    const [cookie] = response.headers.getSetCookie();
    assert.match(cookie, /^_session=[^;]+;/);
    assert.match(cookie, /httponly/i);
  });

  test('a wrong password answers exactly the documented error body', async () => {
    const { response, body } = await signIn(base, new CookieJar(), { email: TRADER.email, password: 'wrong' });
    assert.equal(response.status, 400);
    assert.deepEqual(body, { errors: [{ code: 'SignInUnsuccessful', message: 'The sign-in was unsuccessful' }] });
    assert.deepEqual(response.headers.getSetCookie(), []);
  });

  test('an unknown email answers the same error as a wrong password', async () => {
    const { response, body } = await signIn(base, new CookieJar(), { email: 'nobody@example.com', password: 'x' });
    assert.equal(response.status, 400);
    assert.equal(body.errors[0].code, 'SignInUnsuccessful');
  });

  test('a second-factor account gets no usable session until the code is sent', async () => {
    const jar = new CookieJar();
    const { response, body } = await signIn(base, jar, TWO_FACTOR);
    assert.equal(response.status, 200);
    assert.equal(body.secondFactorRequired, true);
    assert.equal(body.account.email, TWO_FACTOR.email);

    const { challenge } = pkce();
    const early = await fetch(authorizeUrl(base, { challenge }), { headers: { cookie: jar.header() } });
    assert.equal(new URL(early.url).pathname, '/identity/unauthorized');

    const wrong = await fetch(`${base}/identity/sign-in/second-factor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: jar.header() },
      body: JSON.stringify({ code: '000000' }),
    });
    assert.equal(wrong.status, 400);

    const right = await fetch(`${base}/identity/sign-in/second-factor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: jar.header() },
      body: JSON.stringify({ code: TWO_FACTOR.code }),
    });
    jar.take(right);
    assert.equal(right.status, 200);
    assert.equal((await right.json()).secondFactorRequired, false);

    const done = await authorizeOnce(base, jar, { challenge });
    assert.ok(new URL(done.headers.get('location')).searchParams.get('code'));
  });
});

describe('authorize (docs/protocol.md §2)', () => {
  test('with a session: ONE redirect straight to sign-in-done with code, scope, state, session_state and iss', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    const { challenge } = pkce();
    const response = await authorizeOnce(base, jar, { challenge, state: 'st-1' });
    assert.equal(response.status, 303, 'oidc-provider answers 303 See Other (docs/protocol.md §2)');
    const location = new URL(response.headers.get('location'));
    assert.equal(`${location.origin}${location.pathname}`, `${base}/identity/sign-in-done`);
    assert.deepEqual([...location.searchParams.keys()], ['code', 'scope', 'state', 'session_state', 'iss']);
    assert.equal(location.searchParams.get('state'), 'st-1');
    assert.equal(location.searchParams.get('scope'), SCOPES.spa);
    assert.equal(location.searchParams.get('iss'), `${base}/identity`);
  });

  test('followed by fetch, the final URL carries the code (what clients read)', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    const { challenge } = pkce();
    const response = await fetch(authorizeUrl(base, { challenge }), { headers: { cookie: jar.header() } });
    assert.equal(response.status, 200);
    assert.equal(new URL(response.url).pathname, '/identity/sign-in-done');
    assert.ok(new URL(response.url).searchParams.get('code'));
  });

  test('without a session the chain ends at /identity/unauthorized', async () => {
    const { challenge } = pkce();
    const response = await fetch(authorizeUrl(base, { challenge }));
    assert.equal(new URL(response.url).pathname, '/identity/unauthorized');
    assert.equal(new URL(response.url).searchParams.get('code'), null);
  });

  test('a code_challenge_method other than S256 comes back as the standard error redirect', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    const response = await authorizeOnce(base, jar, { challenge: 'x'.repeat(43), method: 'plain', state: 'st-2' });
    assert.ok([302, 303].includes(response.status));
    const location = new URL(response.headers.get('location'));
    assert.equal(location.pathname, '/identity/sign-in-done');
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('state'), 'st-2');
    assert.equal(location.searchParams.get('code'), null);
  });

  test('a missing code_challenge is refused (PKCE is required)', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    const url = authorizeUrl(base, { challenge: 'unused' });
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const response = await fetch(url, { headers: { cookie: jar.header() }, redirect: 'manual' });
    assert.equal(new URL(response.headers.get('location')).searchParams.get('error'), 'invalid_request');
  });

  test('an unknown redirect_uri is never redirected to', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    const { challenge } = pkce();
    const response = await authorizeOnce(base, jar, {
      challenge,
      redirectUri: 'https://evil.test/identity/sign-in-done',
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /redirect_uri/);
  });

  test('sign-in-done on another loopback origin is an accepted redirect URI', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    const { challenge } = pkce();
    const redirectUri = 'http://localhost:4200/identity/sign-in-done';
    const response = await authorizeOnce(base, jar, { challenge, redirectUri });
    assert.ok(response.headers.get('location').startsWith(`${redirectUri}?code=`));
  });

  test('a raw Set-Cookie value forwarded as the Cookie header works (the 1.2 Node example)', async () => {
    const signInResponse = await fetch(`${base}/identity/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(TRADER),
    });
    const raw = signInResponse.headers.get('set-cookie');
    const cookie = `${raw}, other=1; path=/; expires=Thu, 01 Jan 2037 00:00:00 GMT`;
    assert.match(cookie, /expires=.*GMT/);
    const { challenge } = pkce();
    const response = await fetch(authorizeUrl(base, { challenge }), { headers: { cookie }, redirect: 'manual' });
    assert.ok(new URL(response.headers.get('location')).searchParams.get('code'));
  });
});

describe('token (docs/protocol.md §3)', () => {
  test('exchanges a code for the documented token answer', async () => {
    const { token } = await loginChain(base);
    assert.equal(token.status, 200);
    const body = token.json;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 30);
    assert.equal(body.scope, 'openid FrontOffice offline_access');
    assert.equal(typeof body.refresh_token, 'string');
    const at = decodeJwt(body.access_token);
    assert.equal(at.header.typ, 'at+jwt');
    assert.equal(at.payload.client_id, 'spa');
    assert.equal(at.payload.scope, 'FrontOffice');
    assert.equal(at.payload.exp - at.payload.iat, 30);
    const id = decodeJwt(body.id_token).payload;
    assert.equal(id.aud, 'spa');
    assert.equal(id.iss, `${base}/identity`);
    assert.equal(id.sub, TRADER_ID);
    assert.ok(id.nonce);
  });

  test('spa_admin authenticates with its secret and gets BackOffice too', async () => {
    const { token } = await loginChain(base, { clientId: 'spa_admin' });
    assert.equal(token.status, 200);
    assert.equal(token.json.scope, 'openid FrontOffice BackOffice offline_access');
  });

  test('a reused code answers the RFC 7807 401 document', async () => {
    const first = await loginChain(base);
    const again = await tokenRequest(
      base,
      {
        code: first.code,
        grant_type: 'authorization_code',
        code_verifier: first.verifier,
        redirect_uri: first.redirectUri,
      },
      { authorization: basic('spa') },
    );
    assert.equal(again.status, 401);
    assert.deepEqual(Object.keys(again.json), ['type', 'title', 'status', 'traceId']);
    assert.equal(again.json.type, 'https://tools.ietf.org/html/rfc7235#section-3.1');
    assert.equal(again.json.title, 'Unauthorized');
    assert.equal(again.json.status, 401);
    assert.match(again.json.traceId, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  test('an unknown code answers the RFC 7807 401 document', async () => {
    const wrong = await tokenRequest(
      base,
      {
        code: 'not-a-code',
        grant_type: 'authorization_code',
        code_verifier: 'v'.repeat(43),
        redirect_uri: `${base}/identity/sign-in-done`,
      },
      { authorization: basic('spa') },
    );
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.title, 'Unauthorized');
  });

  test('a wrong code_verifier answers 400 invalid_grant', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    const { challenge } = pkce();
    const response = await authorizeOnce(base, jar, { challenge });
    const code = new URL(response.headers.get('location')).searchParams.get('code');
    const result = await tokenRequest(
      base,
      {
        code,
        grant_type: 'authorization_code',
        code_verifier: pkce().verifier,
        redirect_uri: `${base}/identity/sign-in-done`,
      },
      { authorization: basic('spa') },
    );
    assert.equal(result.status, 400);
    assert.equal(result.json.error, 'invalid_grant');
  });
});

const TRADER_ID = '10e3bfcf-56f7-421d-84ea-1700209ae121';

describe('refresh (docs/protocol.md §4)', () => {
  test('rotates the refresh token; the old one answers invalid_grant and ends the grant', async () => {
    const { tokens } = await loginChain(base);
    const before = (await stats(base)).refreshReuseDetected;
    const first = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(first.status, 200);
    assert.notEqual(first.json.refresh_token, tokens.refresh_token);
    assert.notEqual(first.json.access_token, tokens.access_token);
    assert.equal(first.json.scope, 'openid FrontOffice offline_access');
    assert.equal(decodeJwt(first.json.id_token).payload.sub, TRADER_ID);

    const reuse = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.json.error, 'invalid_grant');
    assert.equal((await stats(base)).refreshReuseDetected, before + 1);

    const newest = await refresh(base, 'spa', first.json.refresh_token);
    assert.equal(newest.status, 400, 'reuse revokes the whole grant');
  });

  test('a confidential client refreshes with its secret; without a secret it is refused', async () => {
    const { tokens } = await loginChain(base, { clientId: 'spa_admin' });
    const unauthenticated = await tokenRequest(base, {
      client_id: 'spa_admin',
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      scope: SCOPES.spa_admin,
    });
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.json.error, 'invalid_client');
    const ok = await refresh(base, 'spa_admin', tokens.refresh_token);
    assert.equal(ok.status, 200);
  });
});

describe('sign-out (docs/protocol.md §5)', () => {
  async function signOut(accessToken, body, cookie) {
    return fetch(`${base}/identity/sign-out`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  test('with a refresh token revokes that one only', async () => {
    const a = await loginChain(base);
    const b = await loginChain(base);
    const response = await signOut(a.tokens.access_token, { refresh_token: a.tokens.refresh_token });
    assert.ok(response.ok);
    assert.equal((await refresh(base, 'spa', a.tokens.refresh_token)).status, 400);
    assert.equal((await refresh(base, 'spa', b.tokens.refresh_token)).status, 200);
  });

  test('without a refresh token revokes every one of this user and client, not of other clients', async () => {
    const a = await loginChain(base);
    const b = await loginChain(base);
    const admin = await loginChain(base, { clientId: 'spa_admin' });
    const response = await signOut(a.tokens.access_token, {}, a.jar.header());
    assert.ok(response.ok);
    assert.equal((await refresh(base, 'spa', a.tokens.refresh_token)).status, 400);
    assert.equal((await refresh(base, 'spa', b.tokens.refresh_token)).status, 400);
    assert.equal((await refresh(base, 'spa_admin', admin.tokens.refresh_token)).status, 200);
    const { challenge } = pkce();
    const after = await fetch(authorizeUrl(base, { challenge }), { headers: { cookie: a.jar.header() } });
    assert.equal(new URL(after.url).pathname, '/identity/unauthorized', 'the session cookie that came along is ended');
  });

  test('without a valid bearer token answers 401 and revokes nothing', async () => {
    const a = await loginChain(base);
    const response = await signOut(undefined, { refresh_token: a.tokens.refresh_token });
    assert.equal(response.status, 401);
    assert.equal((await refresh(base, 'spa', a.tokens.refresh_token)).status, 200);
  });
});

describe('machine-to-machine sign-in (docs/protocol.md §6)', () => {
  for (const clientId of ['core_ib', 'lk']) {
    test(`${clientId}: the password grant answers tokens for the client's scope`, async () => {
      const result = await passwordGrant(base, clientId);
      assert.equal(result.status, 200);
      assert.equal(result.json.token_type, 'Bearer');
      assert.equal(
        result.json.scope,
        SCOPES[clientId] === SCOPES.lk ? 'openid FrontOffice offline_access' : 'openid BackOffice offline_access',
      );
      assert.equal(decodeJwt(result.json.access_token).payload.client_id, clientId);
      assert.equal(decodeJwt(result.json.id_token).payload.aud, clientId);
      const refreshed = await refresh(base, clientId, result.json.refresh_token);
      assert.equal(refreshed.status, 200);
    });

    test(`${clientId}: a wrong secret answers 401 invalid_client`, async () => {
      const result = await passwordGrant(base, clientId, TRADER, 'wrong-secret');
      assert.equal(result.status, 401);
      assert.equal(result.json.error, 'invalid_client');
    });
  }

  test('a wrong password answers 400 invalid_grant', async () => {
    const result = await passwordGrant(base, 'lk', { email: TRADER.email, password: 'nope' });
    assert.equal(result.status, 400);
    assert.equal(result.json.error, 'invalid_grant');
  });

  test('a browser client may not use the password grant', async () => {
    const result = await tokenRequest(
      base,
      {
        grant_type: 'password',
        username: TRADER.email,
        password: TRADER.password,
        scope: SCOPES.spa_admin,
      },
      { authorization: basic('spa_admin', SECRETS.spa_admin) },
    );
    assert.equal(result.status, 400);
    assert.equal(result.json.error, 'unauthorized_client');
  });
});

describe('resource API', () => {
  test('a valid FrontOffice token reads the account; BackOffice answers 403 insufficient_scope', async () => {
    const { tokens } = await loginChain(base);
    const ok = await callApi(base, '/api/frontoffice/v1/account', tokens.access_token);
    assert.equal(ok.status, 200);
    assert.equal(ok.json.accountId, TRADER_ID);
    const denied = await callApi(base, '/api/backoffice/v1/users', tokens.access_token);
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get('www-authenticate'), 'Bearer error="insufficient_scope", scope="BackOffice"');
  });

  test('a BackOffice token reads the users', async () => {
    const { tokens } = await loginChain(base, { clientId: 'spa_admin' });
    assert.equal((await callApi(base, '/api/backoffice/v1/users', tokens.access_token)).status, 200);
  });

  test('a token for another audience (the id_token) is refused', async () => {
    const { tokens } = await loginChain(base);
    const result = await callApi(base, '/api/frontoffice/v1/account', tokens.id_token);
    assert.equal(result.status, 401);
    assert.match(result.headers.get('www-authenticate'), /invalid_token/);
  });

  test('a tampered token is refused', async () => {
    const { tokens } = await loginChain(base);
    const [h, p, s] = tokens.access_token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url'));
    payload.scope = 'FrontOffice BackOffice';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    assert.equal((await callApi(base, '/api/backoffice/v1/users', forged)).status, 401);
  });

  test('a missing token answers 401', async () => {
    const result = await callApi(base, '/api/frontoffice/v1/account');
    assert.equal(result.status, 401);
  });

  test('the API counts its answers', async () => {
    const before = await stats(base);
    await callApi(base, '/api/frontoffice/v1/account');
    const after = await stats(base);
    assert.equal(after.api.unauthorized, before.api.unauthorized + 1);
  });
});

describe('resource API: each check on its own (tokens minted by /__tokens)', () => {
  async function mint(change) {
    const response = await fetch(`${base}/__tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    assert.equal(response.status, 201);
    return (await response.json()).access_token;
  }

  test('a minted token with the defaults is accepted (the control is sound)', async () => {
    assert.equal((await callApi(base, '/api/frontoffice/v1/account', await mint({}))).status, 200);
  });

  for (const [label, change] of [
    ['another issuer', { set: { iss: 'https://evil.test/identity' } }],
    ['another audience', { set: { aud: 'spa' } }],
    ['an expired token', { set: { exp: Math.floor(Date.now() / 1000) - 5 } }],
    ['no exp', { delete: ['exp'] }],
    ['another typ', { header: { typ: 'JWT' } }],
  ]) {
    test(`${label} → 401 invalid_token`, async () => {
      const result = await callApi(base, '/api/frontoffice/v1/account', await mint(change));
      assert.equal(result.status, 401);
      assert.match(result.headers.get('www-authenticate'), /invalid_token/);
    });
  }
});

describe('authorize: scope', () => {
  test('a scope the client may not have is refused with invalid_scope, no code', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    const response = await authorizeOnce(base, jar, {
      challenge: pkce().challenge,
      scope: 'openid offline_access FrontOffice BackOffice',
      state: 's-9',
    });
    const location = new URL(response.headers.get('location'));
    assert.equal(location.searchParams.get('error'), 'invalid_scope');
    assert.equal(location.searchParams.get('state'), 's-9');
    assert.equal(location.searchParams.get('code'), null);
  });
});
