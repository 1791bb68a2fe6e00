// What a caller meets against the emulator: failure kinds that say what happened,
// codes sent once, sign-ins that do not disturb each other, and messages that name
// the fix. Fakes only where the emulator cannot produce the case (a fetch with a bug,
// a fetch that ignores its abort signal), and then the test's name says so.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  authorize,
  createIdentityClient,
  exchangeCode,
  IdentityAuth,
  LIBRARY_ERROR_CODES,
  refreshTokens,
  signIn,
} from 'b2trader.identity.auth/core';

import { addFault, freePort, rejectsWithKind, SECRETS, stats, TRADER, useEmulator } from './support.mjs';

let base;
useEmulator((url) => {
  base = url;
});

const TWO_FACTOR = { email: '2fa@example.com', password: 'Passw0rd!' };

async function codeExchanges() {
  return (await stats(base)).tokenRequests.authorization_code ?? 0;
}

describe('a code is sent once', () => {
  test('retrieveToken(code) twice at once: one request, the same tokens, and the refresh token stays alive', async () => {
    const auth = new IdentityAuth(base, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    const code = await auth.authorize();
    const before = await codeExchanges();
    const [first, second] = await Promise.all([auth.retrieveToken(code), auth.retrieveToken(code)]);
    assert.equal(await codeExchanges(), before + 1, 'one code exchange');
    assert.equal(first.refreshToken, second.refreshToken);
    // a reuse would have made the server revoke the grant, and this refresh fail
    assert.ok((await auth.refreshToken(first.refreshToken)).accessToken);
  });

  test('exchangeCode(client, result) twice at once: one request, and the grant survives', async () => {
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const signInResult = await signIn(client, TRADER.email, TRADER.password);
    const result = await authorize(client, { signInResult });
    const before = await codeExchanges();
    const [first, second] = await Promise.all([exchangeCode(client, result), exchangeCode(client, result)]);
    assert.equal(await codeExchanges(), before + 1);
    assert.equal(first, second);
    assert.ok((await refreshTokens(client, first.refreshToken)).accessToken);
  });

  test('after a transient failure the code may be sent again; after success it is refused before any request', async () => {
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const result = await authorize(client, { signInResult: await signIn(client, TRADER.email, TRADER.password) });
    await addFault(base, { path: '/identity/connect/token', mode: 'html', status: 503 });
    await rejectsWithKind(exchangeCode(client, result), 'server');
    assert.ok((await exchangeCode(client, result)).accessToken);
    const before = await codeExchanges();
    const err = await rejectsWithKind(exchangeCode(client, result), 'invalid_grant', [result.code]);
    assert.equal(err.code, LIBRARY_ERROR_CODES.codeAlreadyUsed);
    assert.match(err.message, /already exchanged or refused/);
    assert.equal(await codeExchanges(), before);
  });

  test('a code the server refused as expired says so, and a second try is refused without a request', async () => {
    const auth = new IdentityAuth(base, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    const code = await auth.authorize();
    await addFault(base, {
      path: '/identity/connect/token',
      mode: 'respond',
      status: 400,
      json: { error: 'invalid_grant', error_description: 'grant request is invalid' },
    });
    const err = await rejectsWithKind(auth.retrieveToken(code), 'invalid_grant', [code]);
    assert.equal(
      err.message,
      'b2trader.identity.auth: token failed: invalid_grant (grant request is invalid). The code was already used or has expired: start the login again.',
    );
    const again = await rejectsWithKind(auth.retrieveToken(code), 'invalid_grant');
    assert.equal(again.code, 'code_already_used');
  });

  test('a code this instance never handed out is a TypeError naming "code" and saying why', async () => {
    const auth = new IdentityAuth(base, 'spa');
    await assert.rejects(auth.retrieveToken('some-code'), (err) => {
      assert.ok(err instanceof TypeError);
      assert.match(err.message, /"code" is not one this instance is keeping: it was used or dropped long ago/);
      return true;
    });
  });
});

describe('sign-ins on one instance in Node', () => {
  test('a second signIn() still running leaves a login between signIn() and authorize() alone', async () => {
    const auth = new IdentityAuth(base, 'spa');
    const first = await auth.signIn(TRADER.email, TRADER.password);
    const second = auth.signIn(TWO_FACTOR.email, TWO_FACTOR.password);
    const tokens = await auth.retrieveToken(await auth.authorize());
    assert.equal(tokens.idTokenClaims.sub, first.account.id);
    await second;
  });

  test('after a sign-in that asked for a second factor, authorize says the second factor is pending', async () => {
    const auth = new IdentityAuth(base, 'spa');
    assert.equal((await auth.signIn(TWO_FACTOR.email, TWO_FACTOR.password)).secondFactorRequired, true);
    const err = await rejectsWithKind(auth.authorize(), 'login_required');
    assert.equal(err.code, LIBRARY_ERROR_CODES.secondFactorPending);
    assert.equal(
      err.message,
      'b2trader.identity.auth: authorize failed: the second factor of this sign-in is still pending. Finish it, then call authorize() again.',
    );
  });

  test('the steps as functions carry the session cookie of signIn() to authorize() with { signInResult }', async () => {
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const signInResult = await signIn(client, TRADER.email, TRADER.password);
    const tokens = await exchangeCode(client, await authorize(client, { signInResult }));
    assert.equal(tokens.idTokenClaims.sub, signInResult.account.id);
  });
});

describe('only a failure to reach the server is network', () => {
  test('connection refused: network, naming the origin tried and ECONNREFUSED, without CORS in Node', async () => {
    const port = await freePort();
    const auth = new IdentityAuth(`http://127.0.0.1:${port}`, 'spa');
    const err = await rejectsWithKind(auth.signIn(TRADER.email, TRADER.password), 'network');
    assert.equal(
      err.message,
      `b2trader.identity.auth: sign-in failed: could not reach the identity service at http://127.0.0.1:${port} (ECONNREFUSED). Check that the service is up and that "url" is right.`,
    );
    assert.equal(err.cause.code, 'ECONNREFUSED');
  });

  test('a TypeError from a bug in a custom fetch (fake fetch) goes up as it is, not as network', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'headers')");
    const client = createIdentityClient({
      url: base,
      clientId: 'spa',
      fetch: async () => {
        throw bug;
      },
    });
    await assert.rejects(signIn(client, TRADER.email, TRADER.password), (err) => err === bug);
  });

  test('a Cookie header with a line break is a TypeError naming "headers", before any request', async () => {
    const auth = new IdentityAuth(base, 'spa');
    const before = (await stats(base)).requests['GET /identity/connect/authorize'] ?? 0;
    await assert.rejects(auth.authorize({ Cookie: 'a=b\r\nX-Injected: 1' }), (err) => {
      assert.ok(err instanceof TypeError && !(err.name === 'IdentityAuthError'));
      assert.match(err.message, /^b2trader\.identity\.auth: "headers" must be valid HTTP headers/);
      assert.ok(!err.message.includes('a=b'), 'the cookie is not repeated');
      return true;
    });
    assert.equal((await stats(base)).requests['GET /identity/connect/authorize'] ?? 0, before);
  });

  test('exchangeCode(client, {}) is a TypeError naming "authorization", before any request', async () => {
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const before = await codeExchanges();
    await assert.rejects(exchangeCode(client, {}), {
      name: 'TypeError',
      message: 'b2trader.identity.auth: "authorization" must be the result of authorize()',
    });
    await assert.rejects(
      signIn({ url: () => new URL(base) }, 'a@b.c', 'x'),
      /"client" must be made by createIdentityClient/,
    );
    assert.equal(await codeExchanges(), before);
  });
});

describe('time limits', () => {
  test('a custom fetch that ignores the abort signal (fake fetch) still times out at timeoutMs', async () => {
    const client = createIdentityClient({
      url: base,
      clientId: 'spa',
      timeoutMs: 200,
      fetch: () => new Promise(() => {}),
    });
    const started = Date.now();
    const err = await rejectsWithKind(signIn(client, TRADER.email, TRADER.password), 'timeout');
    assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
    assert.equal(
      err.message,
      'b2trader.identity.auth: sign-in failed: no answer from the identity service within 200 ms.',
    );
  });

  test('a timeoutMs of 2^31 ms is refused at configuration (a timer would fire at once)', () => {
    assert.throws(() => new IdentityAuth({ url: base, clientId: 'spa', timeoutMs: 2 ** 31 }), {
      name: 'TypeError',
      message: /"timeoutMs" must be a number of milliseconds from 1 to 2147483647/,
    });
  });
});

describe('messages name the fix', () => {
  test('"url" with /identity: a 404 from the sign-in path says url is the base URL, without /identity', async () => {
    const auth = new IdentityAuth(`${base}/identity`, 'spa');
    const err = await rejectsWithKind(auth.signIn(TRADER.email, TRADER.password), 'invalid_response');
    assert.equal(err.code, LIBRARY_ERROR_CODES.endpointNotFound);
    assert.equal(
      err.message,
      `b2trader.identity.auth: sign-in failed: the identity service answered 404. Check that "url" is B2Trader's base URL, without /identity.`,
    );
  });

  test('"url" with /identity: a 404 from the authorize path gives the same hint', async () => {
    const client = createIdentityClient({ url: `${base}/identity`, clientId: 'spa' });
    const err = await rejectsWithKind(authorize(client), 'invalid_response');
    assert.equal(err.code, LIBRARY_ERROR_CODES.endpointNotFound);
    assert.match(err.message, /Check that "url" is B2Trader's base URL, without \/identity\.$/);
  });

  test("the library's own words are not redacted: an unregistered redirect URI is named in full", async () => {
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const signInResult = await signIn(client, TRADER.email, TRADER.password);
    await addFault(base, { path: '/identity/connect/authorize', mode: 'html', status: 400 });
    const err = await rejectsWithKind(authorize(client, { signInResult }), 'invalid_client');
    assert.equal(
      err.message,
      `b2trader.identity.auth: authorize failed: the identity service refused the request (400); check the client id and that ${base}/identity/sign-in-done is registered.`,
    );
  });

  test('what a call handled is redacted when the server echoes it; JWT-shaped strings always', async () => {
    const client = createIdentityClient({ url: base, clientId: 'spa' });
    const signInResult = await signIn(client, TRADER.email, TRADER.password);
    const tokens = await exchangeCode(client, await authorize(client, { signInResult }));
    await addFault(base, {
      path: '/identity/connect/token',
      mode: 'respond',
      status: 400,
      json: {
        error: 'invalid_grant',
        error_description: `${tokens.refreshToken} is not valid (with ${tokens.accessToken})`,
      },
    });
    const err = await rejectsWithKind(refreshTokens(client, tokens.refreshToken), 'invalid_grant', [
      tokens.refreshToken,
      tokens.accessToken,
    ]);
    assert.match(err.description, /^\[redacted\] is not valid \(with \[redacted\]/);
  });

  test('a refused password grant asks to check the credentials, not to sign in again', async () => {
    const auth = new IdentityAuth(base, 'core_ib', SECRETS.core_ib);
    const err = await rejectsWithKind(auth.machineToMachineSignIn(TRADER.email, 'not-the-password'), 'invalid_grant', [
      'not-the-password',
    ]);
    assert.doesNotMatch(err.message, /Sign in again/i);
    assert.match(err.message, /Check the service account's email and password\.$/);
  });
});
