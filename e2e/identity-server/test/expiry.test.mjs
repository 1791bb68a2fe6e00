// Access-token lifetime: an emulator with a 1-second TTL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { callApi, loginChain, startEmulator, waitFor } from './helpers.mjs';

let server;
before(async () => {
  server = await startEmulator({ accessTokenTtl: 1 });
});
after(() => server.close());

test('ACCESS_TOKEN_TTL sets expires_in, and an expired token answers 401 invalid_token', async () => {
  const { tokens } = await loginChain(server.url);
  assert.equal(tokens.expires_in, 1);
  assert.equal((await callApi(server.url, '/api/frontoffice/v1/account', tokens.access_token)).status, 200);
  const expired = await waitFor(async () => {
    const result = await callApi(server.url, '/api/frontoffice/v1/account', tokens.access_token);
    return result.status === 401 ? result : undefined;
  }, { timeoutMs: 4000, intervalMs: 100 });
  assert.match(expired.headers.get('www-authenticate'), /error="invalid_token"/);
  assert.match(expired.headers.get('www-authenticate'), /expired/);
});
