// The package's command line (flags over environment variables) and its programmatic
// API for test runners, in-process. e2e/emulator-package.test.mjs runs the packed package.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';

import { readSettings, usage } from '../cli-options.mjs';
import { listenFailureMessage } from '../describe.mjs';
import { emulatorControls, SEEDED_USERS, startIdentityEmulator } from '../index.mjs';

const DEFAULTS = {
  host: '127.0.0.1',
  port: 5055,
  accessTokenTtl: 30,
  refreshTokenTtl: 1209600,
  sessionTtl: 1209600,
  testControls: false,
};

describe('readSettings (the command line)', () => {
  test('no flags, no variables: the defaults, and no public URL (the emulator uses its own address)', () => {
    assert.deepEqual(readSettings([], {}), { settings: DEFAULTS, fromFlags: false });
  });

  test('each flag sets its setting', () => {
    const read = readSettings(
      [
        '--host=::1',
        '--port',
        '0',
        '--public-url',
        'http://localhost:4200',
        '--access-token-ttl',
        '5',
        '--refresh-token-ttl',
        '60',
        '--session-ttl',
        '120',
        '--test-controls',
      ],
      {},
    );
    assert.deepEqual(read, {
      settings: {
        host: '::1',
        port: 0,
        publicUrl: 'http://localhost:4200',
        accessTokenTtl: 5,
        refreshTokenTtl: 60,
        sessionTtl: 120,
        testControls: true,
      },
      fromFlags: true,
    });
  });

  test('each variable sets its setting, and a flag wins over its variable', () => {
    const env = {
      IDENTITY_HOST: '127.0.0.2',
      IDENTITY_PORT: '6000',
      IDENTITY_PUBLIC_URL: 'http://127.0.0.1:4300',
      ACCESS_TOKEN_TTL: '7',
      REFRESH_TOKEN_TTL: '70',
      SESSION_TTL: '700',
      IDENTITY_TEST_CONTROLS: '1',
    };
    assert.deepEqual(readSettings([], env).settings, {
      host: '127.0.0.2',
      port: 6000,
      publicUrl: 'http://127.0.0.1:4300',
      accessTokenTtl: 7,
      refreshTokenTtl: 70,
      sessionTtl: 700,
      testControls: true,
    });
    const overridden = readSettings(['--port', '5055', '--public-url', 'http://localhost:4200'], env).settings;
    assert.equal(overridden.port, 5055);
    assert.equal(overridden.publicUrl, 'http://localhost:4200');
    assert.equal(overridden.accessTokenTtl, 7);
  });

  test('--help', () => {
    assert.deepEqual(readSettings(['--help'], {}), { help: true });
    assert.deepEqual(readSettings(['-h'], {}), { help: true });
    const text = usage();
    assert.match(text, /^Usage: b2trader-identity-emulator \[options\]/);
    for (const flag of ['--port', '--public-url', '--host', '--access-token-ttl', '--test-controls']) {
      assert.ok(text.includes(flag), `usage names ${flag}`);
    }
    assert.match(text, /IDENTITY_PUBLIC_URL/);
  });

  const refused = [
    [['--port', 'x'], {}, /^--port must be a non-negative integer, got "x"$/],
    [['--port=-1'], {}, /^--port must be a non-negative integer/],
    [['--port', '-1'], {}, /^Option '--port' argument is ambiguous\. .*--help lists the options$/],
    [[], { IDENTITY_PORT: '1.5' }, /^IDENTITY_PORT must be a non-negative integer, got "1\.5"$/],
    [['--public-url', 'localhost:4200'], {}, /^--public-url must be an http\(s\) URL/],
    [[], { IDENTITY_PUBLIC_URL: 'ftp://x' }, /^IDENTITY_PUBLIC_URL must be an http\(s\) URL/],
    [['--nope'], {}, /Unknown option '--nope'.*--help lists the options$/],
    [['5055'], {}, /positional.*--help lists the options$/],
  ];
  for (const [argv, env, expected] of refused) {
    test(`refused with one line: ${JSON.stringify(argv)} ${JSON.stringify(env)}`, () => {
      const { error } = readSettings(argv, env);
      assert.match(error, expected);
      assert.equal(error.includes('\n'), false);
    });
  }
});

test('listenFailureMessage in the command style names the flag', () => {
  const inUse = Object.assign(new Error('x'), { code: 'EADDRINUSE' });
  assert.match(
    listenFailureMessage(inUse, '127.0.0.1', 5055, 'flags'),
    /choose another port: b2trader-identity-emulator --port 5056$/,
  );
  const noHost = Object.assign(new Error('x'), { code: 'EADDRNOTAVAIL' });
  assert.match(listenFailureMessage(noHost, '10.9.9.9', 5055, 'flags'), /Set --host, e\.g\. .* --host 127\.0\.0\.1$/);
});

describe('startIdentityEmulator (the API for test runners)', () => {
  test('SEEDED_USERS: the trader and the second-factor account, frozen', () => {
    assert.deepEqual(SEEDED_USERS.trader, { email: 'trader@example.com', password: 'Passw0rd!' });
    assert.deepEqual(SEEDED_USERS.secondFactor, {
      email: '2fa@example.com',
      password: 'Passw0rd!',
      secondFactor: '123456',
    });
    assert.deepEqual(SEEDED_USERS.all, [SEEDED_USERS.trader, SEEDED_USERS.secondFactor]);
    assert.ok(Object.isFrozen(SEEDED_USERS.trader) && Object.isFrozen(SEEDED_USERS.all));
  });

  test('starts on a free port with the public URL as issuer; stats, faults and stop work', async () => {
    const emulator = await startIdentityEmulator({ publicUrl: 'http://localhost:4200' });
    let stopped = false;
    try {
      assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(emulator.issuer, 'http://localhost:4200/identity');
      assert.equal(emulator.users, SEEDED_USERS);

      const signIn = (password) =>
        fetch(`${emulator.url}/identity/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: emulator.users.trader.email, password }),
        });
      assert.equal((await signIn(emulator.users.trader.password)).status, 200);
      assert.equal((await signIn('wrong')).status, 400);
      assert.deepEqual((await emulator.stats()).signIn, { succeeded: 1, failed: 1 });

      await emulator.setFault({ path: '/identity/sign-in', mode: 'html', status: 502 });
      assert.deepEqual(
        (await emulator.faults()).faults.map((f) => [f.path, f.mode]),
        [['/identity/sign-in', 'html']],
      );
      assert.equal((await signIn(emulator.users.trader.password)).status, 502);
      assert.equal((await emulator.stats()).faultsApplied, 1);

      await emulator.setFault({ path: '/identity/sign-in', mode: 'html', count: 3 });
      await emulator.clearFaults();
      assert.deepEqual((await emulator.faults()).faults, []);
      assert.equal((await signIn(emulator.users.trader.password)).status, 200);

      await emulator.resetStats();
      assert.equal((await emulator.stats()).signIn.succeeded, 0);
      await assert.rejects(emulator.setFault({ path: 'no-slash', mode: 'html' }), /POST \/__faults answered 400/);

      // the same controls for an emulator started elsewhere, by its URL
      assert.equal((await emulatorControls(emulator.url).stats()).faultsApplied, 0);

      await emulator.stop();
      stopped = true;
      await assert.rejects(fetch(`${emulator.url}/__stats`));
    } finally {
      if (!stopped) await emulator.stop();
    }
  });

  test('a taken port rejects with EADDRINUSE', async (t) => {
    const holder = createServer();
    await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
    t.after(() => holder.close());
    await assert.rejects(startIdentityEmulator({ port: holder.address().port }), { code: 'EADDRINUSE' });
  });

  test('controls of an emulator without test controls say so', async () => {
    const emulator = await startIdentityEmulator({ testControls: false });
    try {
      await assert.rejects(emulator.stats(), /answered 404 \(is the emulator running with test controls on\?\)/);
    } finally {
      await emulator.stop();
    }
  });
});
