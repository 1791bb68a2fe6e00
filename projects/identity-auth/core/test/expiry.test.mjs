// Refresh tokens and sessions that really expire: an emulator whose refresh
// tokens and identity sessions live 2 seconds.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IdentityAuth } from 'b2trader.identity.auth/core';

import { rejectsWithKind, stats, TRADER, useEmulator, waitFor } from './support.mjs';

let base;
useEmulator(
  (url) => {
    base = url;
  },
  { refreshTokenTtl: 2, sessionTtl: 2 },
);

test('7. an expired refresh token → invalid_grant, not transient (and not a reuse)', async () => {
  const auth = new IdentityAuth(base, 'spa');
  await auth.signIn(TRADER.email, TRADER.password);
  const tokens = await auth.retrieveToken(await auth.authorize());
  // unused until its known 2 s lifetime has passed
  await waitFor(() => Date.now() > tokens.receivedAt + 2500, { timeoutMs: 6000, intervalMs: 50 });
  const reusesBefore = (await stats(base)).refreshReuseDetected;
  const err = await rejectsWithKind(auth.refreshToken(tokens.refreshToken), 'invalid_grant', [tokens.refreshToken]);
  assert.equal(err.transient, false);
  assert.equal((await stats(base)).refreshReuseDetected, reusesBefore, 'refused as expired, not as reused');
});

test('15. an expired identity session → login_required', async () => {
  const auth = new IdentityAuth(base, 'spa');
  await auth.signIn(TRADER.email, TRADER.password);
  assert.ok(await auth.authorize(), 'the fresh session works');
  // each authorize renews the session (sliding, as Duende's cookie): leave it alone past its 2 s
  const lastUse = Date.now();
  await waitFor(() => Date.now() > lastUse + 2500, { timeoutMs: 6000, intervalMs: 50 });
  await rejectsWithKind(auth.authorize(), 'login_required');
});
