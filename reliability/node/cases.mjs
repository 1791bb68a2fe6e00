// Fault matrix cases that only Node can reach: a port nothing listens on, a reset
// connection, and the password grant of the machine clients (server platform only).
// Each runs the protocol client (`/core`, bundled from source) against a real emulator.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { inspect } from 'node:util';

const TRADER = { email: 'trader@example.com', password: 'Passw0rd!' };

async function refusedPort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function outcome(promise) {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

function describeError(error) {
  if (!error) return 'no error';
  if (error.name !== 'IdentityAuthError') return `${error.name}: ${String(error.message).slice(0, 80)}`;
  return [error.kind, error.status && `HTTP ${error.status}`, error.code && `code ${error.code}`]
    .filter(Boolean)
    .concat(error.transient ? 'transient' : 'not transient')
    .join(', ');
}

async function stats(base) {
  return (await fetch(`${base}/__stats`)).json();
}

async function arm(base, fault) {
  const response = await fetch(`${base}/__faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  assert.equal(response.status, 201, await response.text());
}

/** @type {Array<{ id: string, title: string, expected: string, run: (observe: (line: string) => void, ctx: { core: any, base: string }) => Promise<void> }>} */
export const NODE_CASES = [
  {
    id: '11',
    title: 'connection refused, connection reset (Node)',
    expected: 'typed `network` error naming the system code; the refresh token still works',
    async run(observe, { core, base }) {
      const port = await refusedPort();
      const refused = await outcome(
        new core.IdentityAuth(`http://127.0.0.1:${port}`, 'spa').signIn(TRADER.email, TRADER.password),
      );
      observe(
        `refused port: ${describeError(refused.error)}; names ECONNREFUSED=${/ECONNREFUSED/.test(refused.error?.message)}`,
      );
      assert.equal(refused.error?.kind, 'network');
      const auth = new core.IdentityAuth(base, 'spa');
      await auth.signIn(TRADER.email, TRADER.password);
      const tokens = await auth.retrieveToken(await auth.authorize());
      await arm(base, { path: '/identity/connect/token', mode: 'drop' });
      const reset = await outcome(auth.refreshToken(tokens.refreshToken));
      const after = await outcome(auth.refreshToken(tokens.refreshToken));
      observe(
        `reset mid-refresh: ${describeError(reset.error)}; the same refresh token afterwards: ${after.error ? describeError(after.error) : 'works'}`,
      );
      assert.equal(reset.error?.kind, 'network');
      assert.equal(reset.error?.transient, true);
      assert.ok(after.value?.accessToken);
      assert.ok(!inspect(reset.error, { depth: 20 }).includes(tokens.refreshToken), 'the error carries no token');
    },
  },
  {
    id: '9',
    title: 'core_ib password grant with a wrong secret (Node)',
    expected: 'typed `invalid_client`; exactly one request; the secret in no message',
    async run(observe, { core, base }) {
      const before = (await stats(base)).tokenRequests.password ?? 0;
      const robot = new core.IdentityAuth(base, 'core_ib', 'not-the-core-ib-secret');
      const result = await outcome(robot.machineToMachineSignIn(TRADER.email, TRADER.password));
      const requests = ((await stats(base)).tokenRequests.password ?? 0) - before;
      const leaks = ['not-the-core-ib-secret', TRADER.password].some((secret) =>
        inspect(result.error, { depth: 20 }).includes(secret),
      );
      observe(
        `${describeError(result.error)}; password-grant requests ${requests}; secret or password in the error=${leaks}`,
      );
      assert.equal(result.error?.kind, 'invalid_client');
      assert.equal(requests, 1);
      assert.equal(leaks, false);
    },
  },
];
