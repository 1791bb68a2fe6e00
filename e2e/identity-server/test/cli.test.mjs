// `npm run identity-server`: starts fast, prints its URL and the seeded users and
// how to stop it, stops on a signal or with its npm, and says in one line when its
// port is taken.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { collect, waitFor } from './helpers.mjs';

const MAIN = fileURLToPath(new URL('../main.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Resolves the emulator's URL once the child's output says it listens. */
function listeningUrl({ child, output }) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${output.stdout}${output.stderr}`)), 15_000);
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout);
      if (match && /stops it/.test(output.stdout)) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output.stdout}${output.stderr}`)));
  });
}

/** Whether anything still answers at `url`. */
async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  test(`prints its base URL, users and how to stop it, honours its environment, and stops cleanly on ${signal}`, async (t) => {
    const started = Date.now();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        IDENTITY_HOST: '127.0.0.1',
        IDENTITY_PORT: '0',
        ACCESS_TOKEN_TTL: '45',
        ...(signal === 'SIGTERM' ? { IDENTITY_PUBLIC_URL: 'http://127.0.0.1:9999' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => child.exitCode === null && child.kill('SIGKILL'));
    let output = '';
    let errors = '';
    child.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready: ${output}`)), 10_000);
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match && /users .*trader@example\.com \/ Passw0rd!/.test(output)) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
    });
    const readyMs = Date.now() - started;
    const discovery = await (await fetch(`${url}/identity/.well-known/openid-configuration`)).json();
    assert.equal(
      discovery.issuer,
      signal === 'SIGTERM' ? 'http://127.0.0.1:9999/identity' : `${url}/identity`,
      'IDENTITY_PUBLIC_URL sets the issuer',
    );
    const tokens = await (
      await fetch(`${url}/identity/connect/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('lk:some_lk_secret').toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'password',
          username: 'trader@example.com',
          password: 'Passw0rd!',
          scope: 'openid offline_access FrontOffice',
        }),
      })
    ).json();
    assert.equal(tokens.expires_in, 45, 'ACCESS_TOKEN_TTL sets the lifetime');
    assert.match(discovery.token_endpoint, /\/identity\/connect\/token$/);
    assert.match(discovery.authorization_endpoint, /\/identity\/connect\/authorize$/);
    const jwks = await (await fetch(`${url}/identity/.well-known/openid-configuration/jwks`)).json();
    assert.equal(jwks.keys[0].kty, 'RSA');
    assert.equal('d' in jwks.keys[0], false, 'no private key material published');
    const exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    assert.equal(await exit, 0);
    assert.match(output, /stopped/);
    assert.match(output, /identity-server: Ctrl-C stops it/);
    assert.equal(errors, '', 'nothing on stderr (no oidc-provider warning)');
    assert.ok(readyMs < 5000, `ready in ${readyMs} ms`);
  });
}

test('IDENTITY_PUBLIC_URL sets the issuer seen behind a proxy', async () => {
  const { startIdentityServer } = await import('../server.mjs');
  const server = await startIdentityServer({ port: 0, publicUrl: 'http://127.0.0.1:9999' });
  try {
    const discovery = await (await fetch(`${server.url}/identity/.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, 'http://127.0.0.1:9999/identity');
  } finally {
    await server.close();
  }
});

test('a port in use: one line on stderr naming IDENTITY_PORT, exit code 1, no stack trace', async (t) => {
  const holder = createServer();
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.after(() => holder.close());
  const { port } = holder.address();
  const { child, output, exit } = collect(process.execPath, [MAIN], {
    env: { ...process.env, IDENTITY_HOST: '127.0.0.1', IDENTITY_PORT: String(port) },
  });
  t.after(() => child.exitCode === null && child.kill('SIGKILL'));
  assert.equal(await exit, 1);
  assert.equal(
    output.stderr,
    `identity-server: port ${port} on 127.0.0.1 is already in use (another emulator?). Stop that, or choose another port: IDENTITY_PORT=${port + 1} npm start\n`,
  );
});

test('stopping npm stops the server: SIGTERM to `npm run identity-server` leaves nothing listening', async (t) => {
  // npm, its shell and the server in their own process group, so that the cleanup reaches all of them
  const started = collect('npm', ['run', '--silent', 'identity-server'], {
    cwd: ROOT,
    env: { ...process.env, IDENTITY_HOST: '127.0.0.1', IDENTITY_PORT: '0' },
    detached: true,
  });
  const npm = started.child;
  t.after(() => {
    try {
      process.kill(-npm.pid, 'SIGKILL');
    } catch {
      // all gone already
    }
  });
  const base = await listeningUrl(started);
  assert.equal(await answers(base), true);
  npm.kill('SIGTERM'); // npm alone: its shell does not pass the signal on
  await waitFor(async () => !(await answers(base)), { timeoutMs: 5000, intervalMs: 100 });
});
