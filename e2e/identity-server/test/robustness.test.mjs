// Malformed input never crashes the emulator or hangs a connection, faults work on
// every path, and nothing is evicted before it expires.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';

import {
  addFault,
  CookieJar,
  loginChain,
  passwordGrant,
  refresh,
  signIn,
  stats,
  tokenRequest,
  TRADER,
  useEmulator,
} from './helpers.mjs';

let base;
useEmulator((url) => {
  base = url;
});

describe('malformed input', () => {
  test('sign-in with a body that is not JSON answers the documented error, not a 500', async () => {
    const response = await fetch(`${base}/identity/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).errors[0].code, 'SignInUnsuccessful');
  });

  test('an oversized body answers 413 and closes the connection instead of hanging it', async () => {
    const status = await new Promise((resolve, reject) => {
      const req = request(
        `${base}/identity/sign-in`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode, connection: res.headers.connection });
        },
      );
      req.on('error', reject);
      req.end(Buffer.alloc(200 * 1024, 'a'));
    });
    assert.deepEqual(status, { status: 413, connection: 'close' });
    const next = await signIn(base, new CookieJar());
    assert.equal(next.response.status, 200);
  });

  test('Basic credentials with broken percent-encoding are an OAuth error, not a 500', async () => {
    const result = await tokenRequest(
      base,
      { grant_type: 'refresh_token', refresh_token: 'x' },
      { authorization: `Basic ${Buffer.from('%E0%A4%A:secret').toString('base64')}` },
    );
    assert.equal(result.status, 400);
    assert.equal(result.json.error, 'invalid_request');
  });

  test('odd Authorization headers on the API are 401s', async () => {
    for (const authorization of ['Bearer', 'Bearer a b', 'Basic abc', 'bearer ' + 'x'.repeat(5000)]) {
      const response = await fetch(`${base}/api/frontoffice/v1/account`, { headers: { authorization } });
      assert.equal(response.status, 401, authorization.slice(0, 20));
    }
  });

  test('sign-out with a body that is null, a string or an array is a 400 that revokes nothing', async () => {
    const { tokens } = await loginChain(base);
    for (const body of ['null', '"x"', '[]']) {
      const response = await fetch(`${base}/identity/sign-out`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
        body,
      });
      assert.equal(response.status, 400, body);
    }
    assert.equal((await refresh(base, 'spa', tokens.refresh_token)).status, 200);
  });

  test('a fault with an impossible status or header is refused when armed', async () => {
    for (const fault of [
      { mode: 'html', status: 99 },
      { mode: 'respond', headers: { 'bad name': 'x' } },
      { mode: 'respond', headers: { x: 'a\r\nb' } },
    ]) {
      const response = await fetch(`${base}/__faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: '/identity/connect/token', ...fault }),
      });
      assert.equal(response.status, 400, JSON.stringify(fault));
    }
  });
});

describe('faults on every path', () => {
  test('truncated-json and mutate-json work on sign-in too', async () => {
    await addFault(base, { path: '/identity/sign-in', mode: 'truncated-json' });
    const cut = await fetch(`${base}/identity/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(TRADER),
    });
    const text = await cut.text();
    assert.equal(cut.status, 200);
    assert.ok(text.length > 0 && text.startsWith('{'));
    assert.throws(() => JSON.parse(text));

    await addFault(base, { path: '/identity/sign-in', mode: 'mutate-json', set: { secondFactorRequired: true } });
    const changed = await fetch(`${base}/identity/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(TRADER),
    });
    assert.equal((await changed.json()).secondFactorRequired, true);
  });

  test('mutate-json on an answer that is not JSON passes it through untouched', async () => {
    const jar = new CookieJar();
    await signIn(base, jar);
    await addFault(base, { path: '/identity/connect/authorize', mode: 'mutate-json', set: { x: 1 } });
    const { authorizeOnce, pkce } = await import('./helpers.mjs');
    const response = await authorizeOnce(base, jar, { challenge: pkce().challenge });
    assert.ok(new URL(response.headers.get('location')).searchParams.get('code'));
  });

  test('noRotate: a refresh answer without refresh_token leaves the old one usable (a refresh answer without a new refresh token)', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, {
      path: '/identity/connect/token',
      mode: 'mutate-json',
      delete: ['refresh_token'],
      noRotate: true,
    });
    const first = await refresh(base, 'spa', tokens.refresh_token);
    assert.equal(first.status, 200);
    assert.equal(first.json.refresh_token, undefined);
    assert.equal((await refresh(base, 'spa', tokens.refresh_token)).status, 200);
  });

  test('a fault for another method leaves the request alone; faulted requests are counted', async () => {
    const { tokens } = await loginChain(base);
    await fetch(`${base}/__stats/reset`, { method: 'POST' });
    await addFault(base, { path: '/identity/connect/token', method: 'GET', mode: 'html', status: 503 });
    assert.equal((await refresh(base, 'spa', tokens.refresh_token)).status, 200);
    await fetch(`${base}/__faults`, { method: 'DELETE' });
    await addFault(base, { path: '/identity/connect/token', mode: 'html', status: 503 });
    await refresh(base, 'spa', 'whatever');
    const counted = await stats(base);
    assert.equal(counted.requests['POST /identity/connect/token'], 2);
    assert.deepEqual(counted.tokenRequests, { refresh_token: 1 });
  });
});

describe('storage', () => {
  test('keeps every session and refresh token until it expires (no eviction after 1100 sessions)', async () => {
    const first = await passwordGrant(base, 'lk');
    const jar = new CookieJar();
    await signIn(base, jar);
    for (let i = 0; i < 1100; i += 1) {
      const response = await fetch(`${base}/identity/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(TRADER),
      });
      await response.arrayBuffer();
    }
    assert.equal((await refresh(base, 'lk', first.json.refresh_token)).status, 200);
    const { authorizeOnce, pkce } = await import('./helpers.mjs');
    const response = await authorizeOnce(base, jar, { challenge: pkce().challenge });
    assert.ok(new URL(response.headers.get('location')).searchParams.get('code'), 'the first session still works');
  });
});
