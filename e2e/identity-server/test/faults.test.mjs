// Every mode of POST /__faults: the next N requests to a path misbehave.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { addFault, decodeJwt, loginChain, refresh, signIn, CookieJar, pkce, authorizeOnce, stats } from './helpers.mjs';
import { useEmulator } from './helpers.mjs';

let base;
useEmulator((url) => {
  base = url;
});

const TOKEN = '/identity/connect/token';

describe('fault controls', () => {
  test('html: an HTML 502 page, once, then the real answer again', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'html', status: 502 });
    const faulty = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(faulty.status, 502);
    assert.match(faulty.response.headers.get('content-type'), /text\/html/);
    assert.match(faulty.text, /Bad Gateway/);
    const real = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(real.status, 200, 'the fault did not touch the refresh token');
  });

  test('html with status 503, count 2: two answers then the real one', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'html', status: 503, count: 2 });
    assert.equal((await refresh(base, 'spa', tokens.refresh_token)).status, 503);
    assert.equal((await refresh(base, 'spa', tokens.refresh_token)).status, 503);
    assert.equal((await refresh(base, 'spa', tokens.refresh_token)).status, 200);
  });

  test('rate-limit: 429 with Retry-After in seconds or as an HTTP date', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'rate-limit', retryAfter: '7' });
    const seconds = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(seconds.status, 429);
    assert.equal(seconds.response.headers.get('retry-after'), '7');
    const date = new Date(Date.now() + 3000).toUTCString();
    await addFault(base, { path: TOKEN, mode: 'rate-limit', retryAfter: date });
    const dated = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(dated.response.headers.get('retry-after'), date);
  });

  test('delay: the real answer, late', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'delay', ms: 300 });
    const started = Date.now();
    const result = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(result.status, 200);
    assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
  });

  test('hang: no answer at all (the caller must time out)', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'hang' });
    await assert.rejects(
      fetch(`${base}${TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: 'spa',
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token,
        }),
        signal: AbortSignal.timeout(300),
      }),
      (err) => err.name === 'TimeoutError',
    );
    assert.equal((await refresh(base, 'spa', tokens.refresh_token)).status, 200, 'the hung request changed nothing');
  });

  test('stall-body: headers arrive, the body never ends', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'stall-body' });
    const response = await fetch(`${base}${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'spa', grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
      signal: AbortSignal.timeout(500),
    });
    assert.equal(response.status, 200);
    await assert.rejects(response.text(), (err) => err.name === 'TimeoutError');
  });

  test('truncated-json: the real answer cut mid-body, as application/json', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'truncated-json' });
    const result = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(result.status, 200);
    assert.match(result.response.headers.get('content-type'), /application\/json/);
    assert.ok(result.text.startsWith('{"'));
    assert.equal(result.json, undefined, 'not parseable');
  });

  test('drop: the connection closes with no answer, and nothing is processed', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'drop' });
    await assert.rejects(refresh(base, 'spa', tokens.refresh_token), TypeError);
    assert.equal((await refresh(base, 'spa', tokens.refresh_token)).status, 200);
  });

  test('commit-then-drop: the refresh token is rotated, but the answer is lost', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'commit-then-drop' });
    await assert.rejects(refresh(base, 'spa', tokens.refresh_token), TypeError);
    const retry = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(retry.status, 400);
    assert.equal(retry.json.error, 'invalid_grant', 'the old refresh token was consumed');
  });

  test('respond: any status, headers and body, including JSON null', async () => {
    await addFault(base, { path: TOKEN, mode: 'respond', status: 200, json: null });
    const result = await refresh(base, 'spa', 'whatever');
    assert.equal(result.status, 200);
    assert.equal(result.text, 'null');
    await addFault(base, { path: TOKEN, mode: 'respond', status: 200, contentType: 'text/html', body: '<p>hi</p>' });
    const html = await refresh(base, 'spa', 'whatever');
    assert.match(html.response.headers.get('content-type'), /text\/html/);
  });

  test('mutate-json: fields of the real answer set or removed', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, {
      path: TOKEN,
      mode: 'mutate-json',
      set: { expires_in: 'abc', refresh_token: null },
      delete: ['token_type'],
    });
    const result = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(result.json.expires_in, 'abc');
    assert.equal(result.json.refresh_token, null);
    assert.equal('token_type' in result.json, false);
    assert.ok(result.json.access_token);
  });

  test('id-token: claims changed and re-signed, or the token broken on purpose', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'id-token', set: { iss: 'https://evil.test' }, delete: ['nonce'] });
    const changed = await refresh(base, 'spa', tokens.refresh_token);
    const claims = decodeJwt(changed.json.id_token).payload;
    assert.equal(claims.iss, 'https://evil.test');
    assert.equal('nonce' in claims, false);
    assert.equal(decodeJwt(changed.json.id_token).header.alg, 'RS256');

    await addFault(base, { path: TOKEN, mode: 'id-token', shape: 'alg-none' });
    const none = await refresh(base, 'spa', changed.json.refresh_token);
    assert.equal(decodeJwt(none.json.id_token).header.alg, 'none');
    assert.ok(none.json.id_token.endsWith('.'));

    await addFault(base, { path: TOKEN, mode: 'id-token', shape: 'two-part' });
    const twoPart = await refresh(base, 'spa', none.json.refresh_token);
    assert.equal(twoPart.json.id_token.split('.').length, 2);

    await addFault(base, { path: TOKEN, mode: 'id-token', shape: 'payload-not-json' });
    const garbled = await refresh(base, 'spa', twoPart.json.refresh_token);
    assert.throws(() => decodeJwt(garbled.json.id_token), SyntaxError);
  });

  test('mutate-redirect: the authorize answer points elsewhere or carries other parameters', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    await addFault(base, {
      path: '/identity/connect/authorize',
      mode: 'mutate-redirect',
      set: { state: 'other' },
      append: { state: 'twice' },
    });
    const twice = await authorizeOnce(base, jar, { challenge: pkce().challenge, state: 'mine' });
    assert.deepEqual(new URL(twice.headers.get('location')).searchParams.getAll('state'), ['other', 'twice']);

    await addFault(base, {
      path: '/identity/connect/authorize',
      mode: 'mutate-redirect',
      set: { error: 'access_denied', error_description: 'The user said no' },
      delete: ['code'],
    });
    const denied = new URL((await authorizeOnce(base, jar, { challenge: pkce().challenge })).headers.get('location'));
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('code'), null);

    await addFault(base, {
      path: '/identity/connect/authorize',
      mode: 'mutate-redirect',
      pathname: '/identity/elsewhere',
    });
    const moved = new URL((await authorizeOnce(base, jar, { challenge: pkce().challenge })).headers.get('location'));
    assert.equal(moved.pathname, '/identity/elsewhere');
  });

  test('faults on one path leave other paths alone, and are counted', async () => {
    const before = (await stats(base)).faultsApplied;
    await addFault(base, { path: '/identity/sign-in', mode: 'html', status: 503 });
    const failed = await fetch(`${base}/identity/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'trader@example.com', password: 'Passw0rd!' }),
    });
    assert.equal(failed.status, 503);
    assert.equal((await fetch(`${base}/identity/.well-known/openid-configuration`)).status, 200);
    assert.equal((await stats(base)).faultsApplied, before + 1);
    const again = await loginChain(base);
    assert.equal(again.token.status, 200);
  });

  test('a malformed fault is refused with a message', async () => {
    const response = await fetch(`${base}/__faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: TOKEN, mode: 'explode' }),
    });
    assert.equal(response.status, 400);
    assert.match((await response.json()).error, /mode/);
  });

  test('stats count token requests by grant type and reset', async () => {
    await fetch(`${base}/__stats/reset`, { method: 'POST' });
    const { tokens } = await loginChain(base);
    await refresh(base, 'spa', tokens.refresh_token);
    const counted = await stats(base);
    assert.deepEqual(counted.tokenRequests, { authorization_code: 1, refresh_token: 1 });
    await fetch(`${base}/__stats/reset`, { method: 'POST' });
    assert.deepEqual((await stats(base)).tokenRequests, {});
  });
});

describe('without IDENTITY_TEST_CONTROLS', () => {
  test('the test control paths do not exist', async () => {
    const { startIdentityServer } = await import('../server.mjs');
    const plain = await startIdentityServer({ port: 0 });
    try {
      assert.equal((await fetch(`${plain.url}/__stats`)).status, 404);
      assert.equal((await fetch(`${plain.url}/__faults`, { method: 'POST', body: '{}' })).status, 404);
    } finally {
      await plain.close();
    }
  });
});
