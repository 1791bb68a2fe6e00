// Access-token lifetime: an emulator with a 2-second TTL.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { callApi, loginChain, useEmulator, waitFor } from './helpers.mjs';

let base;
useEmulator(
  (url) => {
    base = url;
  },
  { accessTokenTtl: 2 },
);

test('ACCESS_TOKEN_TTL sets expires_in, and an expired token answers 401 invalid_token', async () => {
  const { tokens } = await loginChain(base);
  assert.equal(tokens.expires_in, 2);
  // exp is a whole second, so a 2 s token is valid for at least 1 s after it is issued
  assert.equal((await callApi(base, '/api/frontoffice/v1/account', tokens.access_token)).status, 200);
  const expired = await waitFor(
    async () => {
      const result = await callApi(base, '/api/frontoffice/v1/account', tokens.access_token);
      return result.status === 401 ? result : undefined;
    },
    { timeoutMs: 6000, intervalMs: 100 },
  );
  assert.match(expired.headers.get('www-authenticate'), /error="invalid_token"/);
  assert.match(expired.headers.get('www-authenticate'), /expired/);
});
