// Production builds define `ngDevMode` as false and drop the long message texts; the
// errors keep their kind, code, status and the option at fault. Node and bundlers that
// define nothing keep the full texts (every other test here reads them).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';

import { build } from 'esbuild';

import {
  authorize,
  createIdentityClient,
  errorFromHttpAnswer,
  IdentityAuthError,
  passwordGrant,
} from 'b2trader.identity.auth/core';

const NOT_FOUND_ADVICE = 'Check that "url" is B2Trader\'s base URL';
const headers = (values = {}) => new Headers(values);

describe('errors in a production build (ngDevMode false)', () => {
  beforeEach(() => {
    globalThis.ngDevMode = false;
  });
  afterEach(() => {
    delete globalThis.ngDevMode;
  });

  test('an OAuth error keeps kind, step, status and code; the message is made of them', () => {
    const err = errorFromHttpAnswer('refresh', 400, headers(), JSON.stringify({ error: 'invalid_grant' }));
    assert.ok(err instanceof IdentityAuthError);
    assert.equal(err.kind, 'invalid_grant');
    assert.equal(err.step, 'refresh');
    assert.equal(err.status, 400);
    assert.equal(err.code, 'invalid_grant');
    assert.equal(err.transient, false);
    assert.equal(err.message, 'b2trader.identity.auth: invalid_grant (refresh, 400, invalid_grant)');
  });

  test('a 404 keeps its library code and a 429 its wait, without the advice text', () => {
    const notFound = errorFromHttpAnswer('token', 404, headers(), '');
    assert.equal(notFound.kind, 'invalid_response');
    assert.equal(notFound.code, 'endpoint_not_found');
    assert.equal(notFound.status, 404);
    assert.ok(!notFound.message.includes(NOT_FOUND_ADVICE));
    const limited = errorFromHttpAnswer('token', 429, headers({ 'retry-after': '3' }), '');
    assert.equal(limited.kind, 'rate_limited');
    assert.equal(limited.retryAfterMs, 3000);
    assert.equal(limited.transient, true);
  });

  test('a configuration error still names the option at fault', () => {
    assert.throws(() => createIdentityClient({ url: 42, clientId: 'spa' }), {
      name: 'TypeError',
      message: 'b2trader.identity.auth: "url"',
    });
  });

  test('a wrong argument is named by its own name, never by a placeholder', async () => {
    const client = createIdentityClient({ url: 'https://id.example.com', clientId: 'spa', fetch: async () => null });
    await assert.rejects(authorize(client, { headers: { 'x-trace': 'a\nb' } }), {
      name: 'TypeError',
      message: 'b2trader.identity.auth: "headers"',
    });
    await assert.rejects(passwordGrant(client, 'service@example.com', 'secret'), {
      name: 'TypeError',
      message: 'b2trader.identity.auth: "clientSecret"',
    });
  });
});

test('in development (ngDevMode not defined) the same errors say what to do', () => {
  const notFound = errorFromHttpAnswer('token', 404, headers(), '');
  assert.ok(notFound.message.includes(NOT_FOUND_ADVICE), notFound.message);
  assert.throws(() => createIdentityClient({ url: 42, clientId: 'spa' }), /"url" must be a string/);
});

test('a bundler that defines ngDevMode as false leaves the texts out; one that does not keeps them', async () => {
  const bundle = async (define) =>
    (
      await build({
        stdin: {
          contents: `export { errorFromHttpAnswer } from 'b2trader.identity.auth/core';`,
          resolveDir: process.cwd(),
        },
        bundle: true,
        minify: true,
        format: 'esm',
        write: false,
        define,
        logLevel: 'silent',
      })
    ).outputFiles[0].text;
  const production = await bundle({ ngDevMode: 'false' });
  const plain = await bundle({});
  assert.ok(plain.includes("B2Trader's base URL"));
  assert.ok(!production.includes("B2Trader's base URL"));
  assert.ok(production.length < plain.length);
});
