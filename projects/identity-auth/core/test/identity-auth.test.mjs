// IdentityAuth (the 1.2 API) in Node against the emulator: every method for every
// client, the 1.2 README's examples as written, concurrency on one instance.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { IdentityAuth, IdentityAuthError, isIdentityAuthError } from 'b2trader.identity.auth/core';

import { rejectsWithKind, SECRETS, useEmulator, stats, TRADER } from './support.mjs';

let b2TraderApiUrl;
useEmulator((url) => {
  b2TraderApiUrl = url;
});

async function api(path, accessToken) {
  return (await fetch(`${b2TraderApiUrl}${path}`, { headers: { authorization: `Bearer ${accessToken}` } })).status;
}

describe("the 1.2 README's examples, as written (import path aside)", () => {
  test('Browser, clientId = spa', async () => {
    const identityAuth = new IdentityAuth(b2TraderApiUrl, 'spa');

    const signInResponse = await identityAuth.signIn('trader@example.com', 'Passw0rd!');
    const authorizeCode = await identityAuth.authorize();
    const tokenData = await identityAuth.retrieveToken(authorizeCode);

    assert.equal(signInResponse.secondFactorRequired, false);
    assert.equal(await api('/api/frontoffice/v1/account', tokenData.accessToken), 200);
  });

  test('Browser, client = spa_admin', async () => {
    const identityAuth = new IdentityAuth(b2TraderApiUrl, 'spa_admin', 'client_secret_admin');

    const signInResponse = await identityAuth.signIn('trader@example.com', 'Passw0rd!');
    const authorizeCode = await identityAuth.authorize();
    const tokenData = await identityAuth.retrieveToken(authorizeCode);

    assert.equal(signInResponse.account.email, 'trader@example.com');
    assert.equal(await api('/api/backoffice/v1/users', tokenData.accessToken), 200);
  });

  test('Node, with the raw Set-Cookie forwarded as Cookie', async () => {
    const identityAuth = new IdentityAuth(b2TraderApiUrl, 'spa');

    const authData = await identityAuth
      .signIn('trader@example.com', 'Passw0rd!')
      .then((response) => response.headers.get('set-cookie'))
      .then((cookies) => identityAuth.authorize({ Cookie: cookies }))
      .then((code) => identityAuth.retrieveToken(code));

    assert.equal(await api('/api/frontoffice/v1/account', authData.accessToken), 200);
  });

  test('machine-to-machine sign-in', async () => {
    const identityAuthMachineToMachine = new IdentityAuth(b2TraderApiUrl, 'core_ib', 'some_core_ib_secret');
    const authResponse = await identityAuthMachineToMachine.machineToMachineSignIn('trader@example.com', 'Passw0rd!');
    assert.equal(await api('/api/backoffice/v1/users', authResponse.accessToken), 200);
  });
});

describe('every method for every client', () => {
  for (const clientId of ['spa', 'spa_admin']) {
    test(`${clientId}: signIn → authorize → retrieveToken → refreshToken → signOut`, async () => {
      const auth = new IdentityAuth({ url: b2TraderApiUrl, clientId, clientSecret: SECRETS[clientId] });
      const signIn = await auth.signIn(TRADER.email, TRADER.password);
      assert.deepEqual(signIn.account, {
        id: '10e3bfcf-56f7-421d-84ea-1700209ae121',
        email: TRADER.email,
        nickname: 'trader',
      });
      assert.equal(signIn.cookies.length, 1);

      const before = Date.now();
      const tokens = await auth.retrieveToken(await auth.authorize());
      assert.equal(tokens.tokenType, 'Bearer');
      assert.equal(tokens.expiresIn, 30);
      assert.ok(
        tokens.expiresAt >= before + 30_000 && tokens.expiresAt <= Date.now() + 30_000,
        'expiresAt = arrival + expires_in',
      );
      assert.equal(tokens.expiresAt, tokens.receivedAt + 30_000);
      assert.equal(tokens.idTokenClaims.sub, signIn.account.id);
      assert.equal(tokens.idTokenClaims.aud, clientId);
      assert.match(tokens.scope, /FrontOffice/);

      const refreshed = await auth.refreshToken(tokens.refreshToken);
      assert.notEqual(refreshed.refreshToken, tokens.refreshToken);
      assert.equal(refreshed.idTokenClaims.sub, signIn.account.id);

      await auth.signOut(refreshed.accessToken, refreshed.refreshToken);
      await rejectsWithKind(auth.refreshToken(refreshed.refreshToken), 'invalid_grant', [refreshed.refreshToken]);
    });
  }

  for (const clientId of ['core_ib', 'lk']) {
    test(`${clientId}: machineToMachineSignIn → refreshToken → signOut without a refresh token`, async () => {
      const auth = new IdentityAuth(b2TraderApiUrl, clientId, SECRETS[clientId]);
      const tokens = await auth.machineToMachineSignIn(TRADER.email, TRADER.password);
      assert.equal(
        tokens.scope,
        clientId === 'lk' ? 'openid FrontOffice offline_access' : 'openid BackOffice offline_access',
      );
      const refreshed = await auth.refreshToken(tokens.refreshToken);
      await auth.signOut(refreshed.accessToken);
      await rejectsWithKind(auth.refreshToken(refreshed.refreshToken), 'invalid_grant');
    });

    test(`${clientId}: a wrong secret is an invalid_client configuration error that never names the secret`, async () => {
      const auth = new IdentityAuth(b2TraderApiUrl, clientId, 'wrong-secret-value');
      const err = await rejectsWithKind(auth.machineToMachineSignIn(TRADER.email, TRADER.password), 'invalid_client', [
        'wrong-secret-value',
      ]);
      assert.equal(err.status, 401);
      assert.equal(err.code, 'invalid_client');
      assert.equal(err.transient, false);
    });
  }

  test('the options form takes fetch, timeoutMs and issuer', async () => {
    let calls = 0;
    const counting = (input, init) => {
      calls += 1;
      return fetch(input, init);
    };
    const auth = new IdentityAuth({
      url: b2TraderApiUrl,
      clientId: 'spa',
      fetch: counting,
      timeoutMs: 5000,
      issuer: `${b2TraderApiUrl}/identity`,
    });
    await auth.signIn(TRADER.email, TRADER.password);
    await auth.retrieveToken(await auth.authorize());
    assert.equal(calls, 3, 'sign-in, one authorize hop, token');
  });

  test("a wrong issuer option: the authorize answer's iss no longer matches", async () => {
    const auth = new IdentityAuth({ url: b2TraderApiUrl, clientId: 'spa', issuer: 'https://other.example/identity' });
    await auth.signIn(TRADER.email, TRADER.password);
    // the authorize answer carries iss, which no longer matches
    await rejectsWithKind(auth.authorize(), 'invalid_response');
  });

  test('a wrong password is invalid_credentials with the server code and message', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    const err = await rejectsWithKind(auth.signIn(TRADER.email, 'not-the-password'), 'invalid_credentials', [
      'not-the-password',
    ]);
    assert.equal(err.code, 'SignInUnsuccessful');
    assert.equal(err.description, 'The sign-in was unsuccessful');
    assert.ok(err instanceof IdentityAuthError);
    assert.ok(isIdentityAuthError(err, 'invalid_credentials'));
  });

  test('a second-factor account pauses the chain: secondFactorRequired, and authorize is login_required until done', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    const result = await auth.signIn('2fa@example.com', 'Passw0rd!');
    assert.equal(result.secondFactorRequired, true);
    await rejectsWithKind(auth.authorize(), 'login_required');
    // the app finishes the second factor itself (the emulator's endpoint), then goes on
    const pending = result.cookies.join('; ');
    const done = await fetch(`${b2TraderApiUrl}/identity/sign-in/second-factor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: pending },
      body: JSON.stringify({ code: '123456' }),
    });
    const session = done.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => c.startsWith('_session='))
      .join('; ');
    const tokens = await auth.retrieveToken(await auth.authorize({ cookie: session }));
    assert.equal(tokens.idTokenClaims.sub, result.account.id);
  });

  test('a failed sign-in drops the session cookie of an earlier one', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    await rejectsWithKind(auth.signIn(TRADER.email, 'wrong-password'), 'invalid_credentials');
    await rejectsWithKind(auth.authorize(), 'login_required');
  });

  test('signOut in Node sends the kept session cookie, so the identity session ends too', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    const { cookies } = await auth.signIn(TRADER.email, TRADER.password);
    const tokens = await auth.retrieveToken(await auth.authorize());
    await auth.signOut(tokens.accessToken);
    await rejectsWithKind(auth.authorize({ cookie: cookies.join('; ') }), 'login_required');
  });

  test('each refresh token remembers its user: two users on one instance refresh independently', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    const trader = await auth.retrieveToken(await auth.authorize());
    const second = await auth.signIn('2fa@example.com', 'Passw0rd!');
    const done = await fetch(`${b2TraderApiUrl}/identity/sign-in/second-factor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: second.cookies.join('; ') },
      body: JSON.stringify({ code: '123456' }),
    });
    const session = done.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => c.startsWith('_session='))
      .join('; ');
    const other = await auth.retrieveToken(await auth.authorize({ cookie: session }));
    assert.notEqual(other.idTokenClaims.sub, trader.idTokenClaims.sub);
    assert.equal((await auth.refreshToken(trader.refreshToken)).idTokenClaims.sub, trader.idTokenClaims.sub);
    assert.equal((await auth.refreshToken(other.refreshToken)).idTokenClaims.sub, other.idTokenClaims.sub);
  });

  test('retrieveToken refuses a code this instance did not ask for', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    await assert.rejects(auth.retrieveToken('some-code'), TypeError);
  });

  test('bad arguments are TypeErrors naming the parameter', () => {
    assert.throws(() => new IdentityAuth('not a url', 'spa'), /"url"/);
    assert.throws(() => new IdentityAuth(b2TraderApiUrl, ''), /"clientId"/);
    assert.throws(() => new IdentityAuth('http://example.com', 'spa'), /https/);
    assert.throws(() => new IdentityAuth({ url: b2TraderApiUrl, clientId: 'spa', timeoutMs: 0 }), /"timeoutMs"/);
  });
});

describe('concurrency on one instance', () => {
  test('two concurrent logins keep their own verifier, state and nonce', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    const [first, second] = await Promise.all([auth.authorize(), auth.authorize()]);
    assert.notEqual(first, second);
    // exchanged in the other order, concurrently
    const [tokensB, tokensA] = await Promise.all([auth.retrieveToken(second), auth.retrieveToken(first)]);
    assert.notEqual(tokensA.idTokenClaims.nonce, tokensB.idTokenClaims.nonce);
    assert.notEqual(tokensA.accessToken, tokensB.accessToken);
  });

  test('a code can be exchanged once; a second try is refused before any request', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    await auth.signIn(TRADER.email, TRADER.password);
    const code = await auth.authorize();
    await auth.retrieveToken(code);
    const before = (await stats(b2TraderApiUrl)).tokenRequests.authorization_code;
    const err = await rejectsWithKind(auth.retrieveToken(code), 'invalid_grant', [code]);
    assert.equal(err.code, 'code_already_used');
    assert.equal(
      err.message,
      'b2trader.identity.auth: token failed: this code was already exchanged or refused, and a code works once. Start the login again.',
    );
    assert.equal((await stats(b2TraderApiUrl)).tokenRequests.authorization_code, before);
  });
});
