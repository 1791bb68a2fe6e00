// Shared by the core's Node tests: an emulator per file, fault and stats helpers.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { inspect } from 'node:util';

export { addFault, stats, useEmulator, waitFor } from '../../../../e2e/identity-server/test/helpers.mjs';

export const TRADER = { email: 'trader@example.com', password: 'Passw0rd!' };
export const SECRETS = { spa_admin: 'client_secret_admin', core_ib: 'some_core_ib_secret', lk: 'some_lk_secret' };

export async function clearFaults(base) {
  await fetch(`${base}/__faults`, { method: 'DELETE' });
}

/**
 * Asserts `promise` rejects with an IdentityAuthError of `kind` in which none of
 * `secrets` (nor the seeded password and client secrets) can be found: not in the
 * message, the description, nor anywhere in its cause chain; returns the error.
 */
export async function rejectsWithKind(promise, kind, secrets = []) {
  let caught;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.equal(caught?.name, 'IdentityAuthError', `expected an IdentityAuthError, got ${caught}`);
  assert.equal(caught.kind, kind, `kind: ${caught.message}`);
  for (const secret of [...secrets, TRADER.password, ...Object.values(SECRETS)]) {
    if (!secret) continue;
    assert.ok(!caught.message.includes(secret), `the message leaks a secret: ${caught.message}`);
    assert.ok(!(caught.description ?? '').includes(secret), 'the description leaks a secret');
    assert.ok(!inspect(caught, { depth: 20 }).includes(secret), 'the error (cause chain included) leaks a secret');
  }
  return caught;
}

/** A loopback port nothing listens on (it was free a moment ago): for connection-refused cases. */
export async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
