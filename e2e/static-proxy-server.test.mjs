// The test server's own decisions: which file a path names, and what it proxies.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { fileForPath, startStaticProxyServer } from './support/static-proxy-server.mjs';

describe('fileForPath', () => {
  const root = '/srv/app';
  const cases = [
    ['/index.html', '/srv/app/index.html'],
    ['/assets/main.js', '/srv/app/assets/main.js'],
    ['/a%20b.css', '/srv/app/a b.css'],
    ['/../secret', undefined],
    ['/%2e%2e/secret', undefined],
    ['/assets/../../secret', undefined],
    ['/%00', undefined],
    ['/%E0%A4%A', undefined],
    ['/', '/srv/app/'],
  ];
  for (const [path, expected] of cases) {
    it(`${path} → ${expected}`, () => assert.equal(fileForPath(root, path), expected));
  }
});

describe('startStaticProxyServer', () => {
  let dir;
  let web;
  let upstream;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(dir, 'assets', 'main.js'), 'console.log(1)');
    upstream = createServer((req, res) => res.end(`upstream ${req.method} ${req.url}`));
    await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    web = await startStaticProxyServer({ root: dir, headers: () => ({ 'x-test': 'yes' }) });
  });
  after(async () => {
    await web?.close();
    await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 for the proxied paths until it knows where to send them', async () => {
    assert.equal((await fetch(`${web.url}/identity/echo`)).status, 503);
  });

  it('serves files, index.html for in-app routes, 404 for missing assets', async () => {
    const script = await fetch(`${web.url}/assets/main.js`);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await script.text(), 'console.log(1)');
    const route = await fetch(`${web.url}/desk?tab=1`);
    assert.equal(route.headers.get('cache-control'), 'no-store');
    assert.equal(route.headers.get('x-test'), 'yes');
    assert.match(await route.text(), /<title>app<\/title>/);
    assert.equal((await fetch(`${web.url}/assets/missing.js`)).status, 404);
    assert.equal((await fetch(`${web.url}/desk`, { method: 'POST' })).status, 405);
  });

  it('passes /identity, /api and /__ on with the method and the query', async () => {
    web.proxyTo(`http://127.0.0.1:${upstream.address().port}`);
    for (const path of ['/identity/connect/token?x=1', '/api/frontoffice/v1/account', '/__stats']) {
      const answer = await fetch(`${web.url}${path}`, { method: 'POST', body: 'b' });
      assert.equal(await answer.text(), `upstream POST ${path}`);
    }
    assert.equal((await fetch(`${web.url}/identityx`)).status, 200, '/identityx is an in-app route');
  });
});
