// `npm run identity-server`: starts fast, prints its URL and the seeded users, stops on a signal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const MAIN = fileURLToPath(new URL('../main.mjs', import.meta.url));

for (const signal of ['SIGINT', 'SIGTERM']) {
  test(`prints its base URL and users, honours its environment, and stops cleanly on ${signal}`, async () => {
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
    let output = '';
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
