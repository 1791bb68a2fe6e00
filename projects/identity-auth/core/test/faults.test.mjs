// Faults a server or network can produce (token answers, id_token, authorize step,
// sign-in), as far as the protocol layer goes, each made by the emulator's /__faults.
// The numbers in the test names follow the team's fault catalogue.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  authorize,
  createIdentityClient,
  DEFAULT_LIFETIME_SEC,
  exchangeCode,
  IdentityAuth,
  MAX_LIFETIME_SEC,
  refreshTokens,
  signIn,
} from 'b2trader.identity.auth/core';

import { addFault, clearFaults, freePort, rejectsWithKind, useEmulator, stats, TRADER, waitFor } from './support.mjs';

/** Waits until the emulator has applied an armed fault (the request reached it). */
async function waitForFaultApplied(base) {
  await waitFor(async () => (await (await fetch(`${base}/__faults`)).json()).faults.length === 0);
}

const TOKEN = '/identity/connect/token';
const AUTHORIZE = '/identity/connect/authorize';

let base;
useEmulator((url) => {
  base = url;
});

/** A signed-in instance and its first tokens. */
async function session(clientId = 'spa') {
  const auth = new IdentityAuth(base, clientId);
  await auth.signIn(TRADER.email, TRADER.password);
  const tokens = await auth.retrieveToken(await auth.authorize());
  return { auth, tokens };
}

/** A signed-in instance and a validated code, not yet exchanged. */
async function pendingCode() {
  const auth = new IdentityAuth(base, 'spa');
  await auth.signIn(TRADER.email, TRADER.password);
  return { auth, code: await auth.authorize() };
}

describe('token endpoint answers', () => {
  for (const status of [502, 503]) {
    test(`1. HTML ${status} on refresh → transient server error; the refresh token still works`, async () => {
      const { auth, tokens } = await session();
      await addFault(base, { path: TOKEN, mode: 'html', status });
      const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'server', [tokens.refreshToken]);
      assert.equal(err.status, status);
      assert.equal(err.transient, true);
      assert.ok((await auth.refreshToken(tokens.refreshToken)).accessToken, 'the session survives');
    });
  }

  test('1. HTML 502 on the code exchange → server error', async () => {
    const { auth, code } = await pendingCode();
    await addFault(base, { path: TOKEN, mode: 'html', status: 502 });
    await rejectsWithKind(auth.retrieveToken(code), 'server', [code]);
  });

  test('2. 200 with text/html → invalid_response, never success', async () => {
    const { auth, tokens } = await session();
    await addFault(base, {
      path: TOKEN,
      mode: 'respond',
      status: 200,
      contentType: 'text/html',
      body: '<html>maintenance</html>',
    });
    await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
  });

  test('2. a token-shaped JSON body labelled text/html → invalid_response', async () => {
    const { auth, tokens } = await session();
    await addFault(base, {
      path: TOKEN,
      mode: 'respond',
      status: 200,
      contentType: 'text/html',
      body: JSON.stringify({ access_token: 'looks-real', token_type: 'Bearer', expires_in: 30, refresh_token: 'x' }),
    });
    const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
    assert.equal(err.code, 'not_json');
  });

  test('5. expires_in "60abc" (a number only in part) → invalid_response', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'mutate-json', set: { expires_in: '60abc' } });
    await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
  });

  test('2. JSON cut off mid-body → invalid_response', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'truncated-json' });
    const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response', [
      tokens.refreshToken,
    ]);
    assert.equal(err.transient, false);
  });

  for (const [label, json] of [
    ['null', null],
    ['[]', []],
    ['a string', 'token'],
    ['no access_token', { token_type: 'Bearer', expires_in: 30 }],
    ['an empty access_token', { access_token: '', token_type: 'Bearer' }],
  ]) {
    test(`3. body ${label} → invalid_response`, async () => {
      const { auth, tokens } = await session();
      await addFault(base, { path: TOKEN, mode: 'respond', status: 200, json });
      await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
    });
  }

  test('4. token_type missing → invalid_response', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'mutate-json', delete: ['token_type'] });
    await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
  });

  test('4. token_type not Bearer → invalid_response; BEARER in capitals is fine', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'mutate-json', set: { token_type: 'mac' } });
    await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
    await clearFaults(base);
    const fresh = await session();
    await addFault(base, { path: TOKEN, mode: 'mutate-json', set: { token_type: 'BEARER' } });
    assert.equal((await fresh.auth.refreshToken(fresh.tokens.refreshToken)).tokenType, 'Bearer');
  });

  for (const value of [-5, 'NaN', 'abc']) {
    test(`5. expires_in ${JSON.stringify(value)} → invalid_response`, async () => {
      const { auth, tokens } = await session();
      await addFault(base, { path: TOKEN, mode: 'mutate-json', set: { expires_in: value } });
      await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
    });
  }

  test('5. expires_in missing → the conservative default lifetime', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'mutate-json', delete: ['expires_in'] });
    const refreshed = await auth.refreshToken(tokens.refreshToken);
    assert.equal(refreshed.expiresIn, DEFAULT_LIFETIME_SEC);
    assert.equal(refreshed.expiresAt, refreshed.receivedAt + DEFAULT_LIFETIME_SEC * 1000);
  });

  test('5. expires_in absurdly large → capped', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'mutate-json', set: { expires_in: 1e12 } });
    const refreshed = await auth.refreshToken(tokens.refreshToken);
    assert.equal(refreshed.expiresIn, MAX_LIFETIME_SEC);
    assert.ok(Number.isFinite(refreshed.expiresAt));
  });

  test('6. a refresh answer without refresh_token keeps the previous one, which still works', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'mutate-json', delete: ['refresh_token'], noRotate: true });
    const refreshed = await auth.refreshToken(tokens.refreshToken);
    assert.equal(refreshed.refreshToken, tokens.refreshToken);
    const next = await auth.refreshToken(refreshed.refreshToken);
    assert.notEqual(next.refreshToken, tokens.refreshToken);
  });

  test('6. refresh_token: null → invalid_response', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'mutate-json', set: { refresh_token: null } });
    await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
  });

  test('7. invalid_grant on a refresh (reused token) → invalid_grant, not transient', async () => {
    const { auth, tokens } = await session();
    await auth.refreshToken(tokens.refreshToken);
    const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_grant', [tokens.refreshToken]);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'invalid_grant');
    assert.equal(err.transient, false);
  });

  test('8. the RFC 7807 401 on a reused code → invalid_grant with the traceId; the chain can start again', async () => {
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const auth = new IdentityAuth(base, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    const result = await authorize(client, {
      headers: { cookie: (await signIn(client, TRADER.email, TRADER.password)).cookies.join('; ') },
    });
    await exchangeCode(client, result);
    // another client object has no record of the code, so the server itself answers the reuse
    const other = createIdentityClient({ url: base, clientId: 'spa' });
    const err = await rejectsWithKind(exchangeCode(other, result), 'invalid_grant', [result.code]);
    assert.equal(err.status, 401);
    assert.equal(err.code, 'unauthorized_problem');
    assert.match(err.traceId, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    assert.ok((await auth.retrieveToken(await auth.authorize())).accessToken, 'a new chain works');
  });

  test('8. 400 invalid_grant on the code exchange → invalid_grant', async () => {
    const { auth, code } = await pendingCode();
    await addFault(base, {
      path: TOKEN,
      mode: 'respond',
      status: 400,
      json: { error: 'invalid_grant', error_description: 'PKCE verification failed' },
    });
    const err = await rejectsWithKind(auth.retrieveToken(code), 'invalid_grant');
    assert.equal(err.description, 'PKCE verification failed');
  });

  test('9. 401 invalid_client → a configuration error, no retry', async () => {
    const auth = new IdentityAuth(base, 'spa_admin', 'not-the-admin-secret');
    await auth.signIn(TRADER.email, TRADER.password);
    const code = await auth.authorize();
    const before = (await stats(base)).tokenRequests.authorization_code ?? 0;
    const err = await rejectsWithKind(auth.retrieveToken(code), 'invalid_client', ['not-the-admin-secret']);
    assert.equal(err.status, 401);
    assert.equal((await stats(base)).tokenRequests.authorization_code, before + 1, 'exactly one request');
  });

  test('9. a wrong secret on refresh → invalid_client, and the refresh token is untouched', async () => {
    const right = new IdentityAuth(base, 'spa_admin', 'client_secret_admin');
    await right.signIn(TRADER.email, TRADER.password);
    const tokens = await right.retrieveToken(await right.authorize());
    const wrong = new IdentityAuth(base, 'spa_admin', 'not-the-admin-secret');
    const err = await rejectsWithKind(wrong.refreshToken(tokens.refreshToken), 'invalid_client', [
      'not-the-admin-secret',
      tokens.refreshToken,
    ]);
    assert.equal(err.status, 401);
    assert.ok(await right.refreshToken(tokens.refreshToken));
  });

  test('8. the code survives a transient failure of its exchange: retrying the same code works', async () => {
    const { auth, code } = await pendingCode();
    await addFault(base, { path: TOKEN, mode: 'html', status: 503 });
    await rejectsWithKind(auth.retrieveToken(code), 'server');
    assert.ok((await auth.retrieveToken(code)).accessToken);
  });

  test('10. 429 with Retry-After in seconds → rate_limited with retryAfterMs', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'rate-limit', retryAfter: '12' });
    const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'rate_limited');
    assert.equal(err.retryAfterMs, 12_000);
    assert.equal(err.transient, true);
    assert.ok(await auth.refreshToken(tokens.refreshToken), 'the session survives');
  });

  test('10. 429 with Retry-After as an HTTP date → rate_limited with the time left', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'rate-limit', retryAfter: new Date(Date.now() + 60_000).toUTCString() });
    const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'rate_limited');
    assert.ok(err.retryAfterMs > 55_000 && err.retryAfterMs <= 60_000, `${err.retryAfterMs}`);
  });

  test('11. a dropped connection → network, transient; the refresh token still works', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'drop' });
    const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'network', [tokens.refreshToken]);
    assert.equal(err.transient, true);
    assert.ok(await auth.refreshToken(tokens.refreshToken));
  });

  test('11. commit-then-drop → network (the rotation happened; a retry with the old token is invalid_grant)', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'commit-then-drop' });
    await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'network');
    await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_grant');
  });

  test('11. connection refused → network', async () => {
    const port = await freePort();
    const auth = new IdentityAuth(`http://127.0.0.1:${port}`, 'spa');
    await rejectsWithKind(auth.signIn(TRADER.email, TRADER.password), 'network');
  });

  test('a hung answer → timeout after timeoutMs', async () => {
    const auth = new IdentityAuth({ url: base, clientId: 'spa', timeoutMs: 300 });
    await auth.signIn(TRADER.email, TRADER.password);
    const tokens = await auth.retrieveToken(await auth.authorize());
    await addFault(base, { path: TOKEN, mode: 'hang' });
    const started = Date.now();
    const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'timeout');
    assert.ok(Date.now() - started < 3000);
    assert.equal(err.transient, true);
  });

  test('headers in time but the body stalls → timeout, not a network or parse error', async () => {
    const auth = new IdentityAuth({ url: base, clientId: 'spa', timeoutMs: 400 });
    await auth.signIn(TRADER.email, TRADER.password);
    const tokens = await auth.retrieveToken(await auth.authorize());
    await addFault(base, { path: TOKEN, mode: 'stall-body' });
    const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'timeout');
    assert.equal(err.transient, true);
  });

  test("a caller's abort while the body stalls is rethrown as is", async () => {
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const { tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'stall-body' });
    const reason = new Error('the trader closed the window');
    const controller = new AbortController();
    const pending = refreshTokens(client, tokens.refreshToken, { signal: controller.signal });
    await waitForFaultApplied(base);
    controller.abort(reason);
    await assert.rejects(pending, (err) => err === reason);
  });

  test("a caller's abort is rethrown as is", async () => {
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const { tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'hang' });
    const controller = new AbortController();
    const pending = refreshTokens(client, tokens.refreshToken, { signal: controller.signal });
    controller.abort(new Error('user left'));
    await assert.rejects(pending, /user left/);
  });
});

describe('id_token: the whole answer is refused', () => {
  const cases = [
    ['12. nonce missing', { delete: ['nonce'] }],
    ['12. nonce different', { set: { nonce: 'someone-elses' } }],
    ['13. iss not the issuer', { set: { iss: 'https://evil.test/identity' } }],
    ['13. aud without our client', { set: { aud: 'other' } }],
    ['13. several audiences without azp', { set: { aud: ['spa', 'other'] } }],
    ['13. several audiences with azp of another client', { set: { aud: ['spa', 'other'], azp: 'other' } }],
    ['13. exp in the past', { set: { exp: Math.floor(Date.now() / 1000) - 3600 } }],
    ['13. iat missing', { delete: ['iat'] }],
    ['13. sub missing', { delete: ['sub'] }],
    ['14. alg none', { shape: 'alg-none' }],
    ['14. a two-part JWT', { shape: 'two-part' }],
    ['14. a payload that is not JSON', { shape: 'payload-not-json' }],
  ];
  for (const [label, change] of cases) {
    test(`${label} → invalid_response on the code exchange`, async () => {
      const { auth, code } = await pendingCode();
      await addFault(base, { path: TOKEN, mode: 'id-token', ...change });
      await rejectsWithKind(auth.retrieveToken(code), 'invalid_response');
    });
  }

  test('several audiences with azp = our client are accepted', async () => {
    const { auth, code } = await pendingCode();
    await addFault(base, { path: TOKEN, mode: 'id-token', set: { aud: ['spa', 'other'], azp: 'spa' } });
    assert.ok((await auth.retrieveToken(code)).accessToken);
  });

  for (const [label, change] of [
    ['iss not the issuer', { set: { iss: 'https://evil.test/identity' } }],
    ['alg none', { shape: 'alg-none' }],
    ['exp in the past', { set: { exp: 1 } }],
  ]) {
    test(`${label} → invalid_response on a refresh, and on the password grant`, async () => {
      const { auth, tokens } = await session();
      await addFault(base, { path: TOKEN, mode: 'id-token', ...change });
      await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
      await addFault(base, { path: TOKEN, mode: 'id-token', ...change });
      await rejectsWithKind(
        new IdentityAuth(base, 'lk', 'some_lk_secret').machineToMachineSignIn(TRADER.email, TRADER.password),
        'invalid_response',
      );
    });
  }

  test('a refresh whose id_token is for another user is refused', async () => {
    const { auth, tokens } = await session();
    await addFault(base, { path: TOKEN, mode: 'id-token', set: { sub: 'someone-else' } });
    const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_response');
    assert.equal(err.code, 'subject_mismatch');
  });
});

describe('authorize step', () => {
  test('15. no session cookie → login_required', async () => {
    await rejectsWithKind(new IdentityAuth(base, 'spa').authorize(), 'login_required');
  });

  test('15. an ended session (signed out in the browser) → login_required', async () => {
    const { auth, tokens } = await session();
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const cookies = (await signIn(client, TRADER.email, TRADER.password)).cookies.join('; ');
    await fetch(`${base}/identity/sign-out`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.accessToken}`, 'content-type': 'application/json', cookie: cookies },
      body: '{}',
    });
    await rejectsWithKind(auth.authorize({ cookie: cookies }), 'login_required');
  });

  async function authorizeWithFault(fault) {
    const auth = new IdentityAuth(base, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    await addFault(base, { path: AUTHORIZE, mode: 'mutate-redirect', ...fault });
    const before = (await stats(base)).tokenRequests.authorization_code ?? 0;
    const result = auth.authorize();
    return { result, tokenRequestsBefore: before };
  }

  test('16. error=access_denied → access_denied with the description, and no token request', async () => {
    const { result, tokenRequestsBefore } = await authorizeWithFault({
      set: { error: 'access_denied', error_description: 'The trader is blocked' },
      delete: ['code'],
    });
    const err = await rejectsWithKind(result, 'access_denied');
    assert.equal(err.description, 'The trader is blocked');
    assert.equal((await stats(base)).tokenRequests.authorization_code ?? 0, tokenRequestsBefore);
  });

  for (const [label, fault] of [
    ['missing', { delete: ['state'] }],
    ['different', { set: { state: 'forged' } }],
    ['present twice', { append: { state: 'again' } }],
  ]) {
    test(`17. state ${label} → state_mismatch, code never exchanged`, async () => {
      const { result, tokenRequestsBefore } = await authorizeWithFault(fault);
      await rejectsWithKind(result, 'state_mismatch');
      assert.equal((await stats(base)).tokenRequests.authorization_code ?? 0, tokenRequestsBefore);
    });
  }

  test('17. iss of another issuer → invalid_response', async () => {
    const { result } = await authorizeWithFault({ set: { iss: 'https://evil.test/identity' } });
    await rejectsWithKind(result, 'invalid_response');
  });

  test('18. the final URL is not the registered redirect URI (path) → invalid_response', async () => {
    const { result } = await authorizeWithFault({ pathname: '/identity/elsewhere' });
    const err = await rejectsWithKind(result, 'invalid_response');
    assert.equal(err.code, 'unexpected_redirect');
  });

  test('18. the final URL is on another origin → invalid_response', async () => {
    const { result } = await authorizeWithFault({ origin: 'http://127.0.0.2:9' });
    await rejectsWithKind(result, 'invalid_response');
  });

  test('a redirect with a malformed Location → invalid_response', async () => {
    const auth = new IdentityAuth(base, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    await addFault(base, {
      path: AUTHORIZE,
      mode: 'respond',
      status: 302,
      headers: { location: 'http://[not-a-host' },
    });
    const err = await rejectsWithKind(auth.authorize(), 'invalid_response');
    assert.equal(err.code, 'invalid_location');
  });

  test('the authorize endpoint refusing outright (400 page) → invalid_client', async () => {
    const auth = new IdentityAuth(base, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    await addFault(base, {
      path: AUTHORIZE,
      mode: 'respond',
      status: 400,
      contentType: 'text/html',
      body: '<p>invalid_redirect_uri</p>',
    });
    await rejectsWithKind(auth.authorize(), 'invalid_client');
  });

  test('19. a network error on the authorize hop → network, not a credentials error', async () => {
    const auth = new IdentityAuth(base, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    await addFault(base, { path: AUTHORIZE, mode: 'drop' });
    await rejectsWithKind(auth.authorize(), 'network');
  });
});

describe('sign-in', () => {
  test('20. wrong password → invalid_credentials carrying SignInUnsuccessful and its message', async () => {
    const err = await rejectsWithKind(
      new IdentityAuth(base, 'spa').signIn(TRADER.email, 'Wr0ng!pass'),
      'invalid_credentials',
      ['Wr0ng!pass'],
    );
    assert.equal(err.code, 'SignInUnsuccessful');
    assert.equal(err.description, 'The sign-in was unsuccessful');
    assert.equal(err.status, 400);
  });

  test('20. a 200 answer with an errors array is still a failed sign-in', async () => {
    await addFault(base, {
      path: '/identity/sign-in',
      mode: 'respond',
      status: 200,
      json: { errors: [{ code: 'SignInUnsuccessful', message: 'nope' }] },
    });
    const err = await rejectsWithKind(
      new IdentityAuth(base, 'spa').signIn(TRADER.email, TRADER.password),
      'invalid_credentials',
    );
    assert.equal(err.code, 'SignInUnsuccessful');
  });

  test('sign-in behind a 503 → server, not invalid_credentials', async () => {
    await addFault(base, { path: '/identity/sign-in', mode: 'html', status: 503 });
    await rejectsWithKind(new IdentityAuth(base, 'spa').signIn(TRADER.email, TRADER.password), 'server');
  });

  test('21. secondFactorRequired is a result, not an error', async () => {
    const result = await new IdentityAuth(base, 'spa').signIn('2fa@example.com', 'Passw0rd!');
    assert.equal(result.secondFactorRequired, true);
  });
});
