// The emulator as a person meets it: an index instead of a bare 404, odd request
// targets and control bodies answered instead of crashing, the `quiet` option,
// and no oidc-provider warnings in the output.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';

import { listenFailureMessage } from '../describe.mjs';
import { addFault, passwordGrant, runModule, startEmulator, useEmulator } from './helpers.mjs';

let base;
useEmulator((url) => {
  base = url;
});

/** A raw GET whose request target is sent exactly as given (fetch would normalise it). */
function rawGet(url, target) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: target, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('index', () => {
  for (const path of ['/', '/identity', '/identity/']) {
    test(`GET ${path} answers a short plain-text index of endpoints, users and clients`, async () => {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type'), /^text\/plain/);
      const text = await response.text();
      assert.match(text, /IdentityServer emulator/);
      assert.match(text, new RegExp(`issuer +${base}/identity\\n`));
      assert.match(text, /POST +\/identity\/sign-in +/);
      assert.match(text, /GET +\/identity\/connect\/authorize/);
      assert.match(text, /trader@example\.com \/ Passw0rd!/);
      assert.match(text, /core_ib \/ some_core_ib_secret/);
      assert.match(text, /\/__faults/, 'test controls listed when they are on');
      assert.match(text, /docs\/protocol\.md/);
    });
  }

  test('other unknown paths still answer 404', async () => {
    assert.equal((await fetch(`${base}/nothing-here`)).status, 404);
    assert.equal((await fetch(`${base}/identity/nothing-here`)).status, 404);
  });
});

describe('odd input is answered, not crashed on', () => {
  test('a request target of "//" is a 404, not a 500', async () => {
    assert.deepEqual(await rawGet(base, '//'), { status: 404, body: '{"title":"Not Found","status":404}' });
  });

  test('an absolute-form request target is a 400, not a 500', async () => {
    assert.equal((await rawGet(base, 'http://elsewhere.invalid/identity')).status, 400);
  });

  test('POST /__tokens with malformed "set", "delete" or "header" is a 400 naming the field', async () => {
    for (const [body, field] of [
      [{ delete: 5 }, 'delete'],
      [{ delete: [1] }, 'delete'],
      [{ set: 'sub' }, 'set'],
      [{ set: ['sub'] }, 'set'],
      [{ header: 'x' }, 'header'],
      [[], 'body'],
    ]) {
      const response = await fetch(`${base}/__tokens`, { method: 'POST', body: JSON.stringify(body) });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match((await response.json()).error, new RegExp(field));
    }
  });

  test('a fault whose "set", "delete", "append" or "origin" cannot apply is refused when armed', async () => {
    for (const [extra, field] of [
      [{ mode: 'mutate-json', delete: 'refresh_token' }, 'delete'],
      [{ mode: 'mutate-json', set: [1] }, 'set'],
      [{ mode: 'mutate-redirect', append: 'x' }, 'append'],
      [{ mode: 'mutate-redirect', origin: 'not a url' }, 'origin'],
    ]) {
      const response = await fetch(`${base}/__faults`, {
        method: 'POST',
        body: JSON.stringify({ path: '/identity/connect/token', ...extra }),
      });
      assert.equal(response.status, 400, JSON.stringify(extra));
      assert.match((await response.json()).error, new RegExp(field));
    }
  });
});

describe('the quiet option', () => {
  for (const quiet of [false, true]) {
    test(`quiet: ${quiet} → an unexpected error (the crash fault) is answered 500 and ${quiet ? 'not ' : ''}logged`, async (t) => {
      const server = await startEmulator({ quiet });
      const logged = t.mock.method(console, 'error', () => {});
      try {
        await addFault(server.url, { path: '/identity/sign-in', mode: 'crash' });
        const response = await fetch(`${server.url}/identity/sign-in`, { method: 'POST', body: '{}' });
        assert.equal(response.status, 500);
        assert.deepEqual(await response.json(), { title: 'Internal Server Error', status: 500 });
      } finally {
        logged.mock.restore();
        await server.close();
      }
      const lines = logged.mock.calls.map((call) => String(call.arguments[0]));
      if (quiet) assert.deepEqual(lines, []);
      else assert.deepEqual(lines, ['identity-server: unexpected error']);
    });
  }

  test('without options a plain run logs nothing', async (t) => {
    const logged = t.mock.method(console, 'error', () => {});
    const server = await startEmulator();
    try {
      assert.equal((await passwordGrant(server.url, 'lk')).status, 200);
    } finally {
      logged.mock.restore();
      await server.close();
    }
    assert.equal(logged.mock.callCount(), 0);
  });
});

test('no oidc-provider warning reaches the output, through a whole token request', async () => {
  const script = `
    const { startIdentityServer } = await import(${JSON.stringify(new URL('../server.mjs', import.meta.url).href)});
    const server = await startIdentityServer({ port: 0 });
    const answer = await fetch(server.url + '/identity/connect/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + btoa('lk:some_lk_secret') },
      body: 'grant_type=password&username=trader%40example.com&password=Passw0rd!&scope=openid',
    });
    console.log('status', answer.status);
    await server.close();`;
  const { code, stdout, stderr } = await runModule(script);
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), 'status 200');
  assert.equal(stderr, '', 'nothing on stderr: neither "Unsupported runtime" nor "already parsed request body"');
});

describe('listenFailureMessage (what npm start says when it cannot listen)', () => {
  const table = [
    ['EADDRINUSE', '127.0.0.1', 5055, /^port 5055 on 127\.0\.0\.1 is already in use.*IDENTITY_PORT=5056 npm start$/],
    ['EACCES', '127.0.0.1', 80, /^port 80 on 127\.0\.0\.1 needs privileges.*IDENTITY_PORT=/],
    ['EADDRNOTAVAIL', '10.9.9.9', 5055, /^cannot listen on 10\.9\.9\.9: .*IDENTITY_HOST/],
    ['ENOTFOUND', 'no-such-host', 5055, /^cannot listen on no-such-host: .*IDENTITY_HOST/],
  ];
  for (const [code, host, port, expected] of table) {
    test(`${code} → one line naming the variable to change`, () => {
      const message = listenFailureMessage(Object.assign(new Error('x'), { code }), host, port);
      assert.match(message, expected);
      assert.equal(message.includes('\n'), false);
    });
  }
  test('any other error is left to the caller (undefined)', () => {
    assert.equal(listenFailureMessage(new Error('boom'), '127.0.0.1', 5055), undefined);
    assert.equal(listenFailureMessage(undefined, '127.0.0.1', 5055), undefined);
  });
});
