import { createIdentityClient } from './config';
import { IdentityAuthError } from './errors';
import { rejectionOf } from './fake-fetch';
import { networkFailureCode, networkMessage, readText, withTransport } from './transport';

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

describe('networkFailureCode', () => {
  const table: Array<[string, unknown, string | undefined]> = [
    [
      "Node's fetch failed, ECONNREFUSED underneath",
      new TypeError('fetch failed', { cause: systemError('ECONNREFUSED') }),
      'ECONNREFUSED',
    ],
    [
      "Node's fetch failed, reset underneath",
      new TypeError('fetch failed', { cause: systemError('ECONNRESET') }),
      'ECONNRESET',
    ],
    [
      "Node's fetch failed, socket closed",
      new TypeError('fetch failed', { cause: systemError('UND_ERR_SOCKET') }),
      'UND_ERR_SOCKET',
    ],
    ['a system error from another fetch', systemError('ENOTFOUND'), 'ENOTFOUND'],
    ["Chromium's Failed to fetch", new TypeError('Failed to fetch'), ''],
    ["Firefox's NetworkError", new TypeError('NetworkError when attempting to fetch resource.'), ''],
    ["Safari's Load failed", new TypeError('Load failed'), ''],
    ['a bug in a custom fetch', new TypeError("Cannot read properties of undefined (reading 'headers')"), undefined],
    ['an invalid header value', new TypeError("Failed to execute 'fetch' on 'Window': Invalid value"), undefined],
    ['an invalid URL, coded', Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' }), undefined],
    [
      'fetch failed over a TLS failure (the server was reached; not a network blip)',
      new TypeError('fetch failed', { cause: systemError('DEPTH_ZERO_SELF_SIGNED_CERT') }),
      undefined,
    ],
    ['an abort', new DOMException('aborted', 'AbortError'), undefined],
    ['a string', 'Failed to fetch', undefined],
    ['undefined', undefined, undefined],
  ];
  for (const [label, err, expected] of table) {
    it(`${label} → ${expected === undefined ? 'not a network failure' : JSON.stringify(expected)}`, () => {
      expect(networkFailureCode(err)).toBe(expected);
    });
  }
});

describe('networkMessage', () => {
  it('names the origin and the code; CORS only in a browser', () => {
    expect(networkMessage('refresh', 'https://b2trader.example', 'ECONNREFUSED', false)).toBe(
      'refresh failed: could not reach the identity service at https://b2trader.example (ECONNREFUSED). Check that the service is up and that "url" is right.',
    );
    expect(networkMessage('sign-in', 'https://b2trader.example', '', true)).toBe(
      "sign-in failed: could not reach the identity service at https://b2trader.example. The browser is offline, the service is down, or it does not allow this page's origin (CORS).",
    );
  });
});

describe('withTransport', () => {
  const client = createIdentityClient({
    url: 'https://b2trader.example',
    clientId: 'spa_admin',
    clientSecret: 'the-client-secret',
    timeoutMs: 50,
  });

  it('times out at timeoutMs even when the work ignores the signal (fake work that never settles)', async () => {
    const started = Date.now();
    const err = await rejectionOf(withTransport(client, 'token', undefined, () => new Promise(() => {})));
    expect(err instanceof IdentityAuthError && err.kind).toBe('timeout');
    expect((err as Error).message).toBe(
      'b2trader.identity.auth: token failed: no answer from the identity service within 50 ms.',
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("rethrows the caller's abort reason unchanged, at once, even when the work ignores the signal", async () => {
    const controller = new AbortController();
    const reason = new Error('the trader left');
    const pending = withTransport(client, 'refresh', { signal: controller.signal }, () => new Promise(() => {}));
    controller.abort(reason);
    expect(await rejectionOf(pending)).toBe(reason);
  });

  it('a Failed-to-fetch TypeError becomes network, naming the origin tried', async () => {
    const err = await rejectionOf(
      withTransport(client, 'sign-in', undefined, () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    expect(err instanceof IdentityAuthError && err.kind).toBe('network');
    expect((err as Error).message).toContain('at https://b2trader.example.');
  });

  it('any other TypeError goes up as it is', async () => {
    const bug = new TypeError('x is not a function');
    expect(await rejectionOf(withTransport(client, 'sign-in', undefined, () => Promise.reject(bug)))).toBe(bug);
  });

  it('redacts the secrets of the call and the client secret from errors made inside', async () => {
    const err = await rejectionOf(
      withTransport(
        client,
        'refresh',
        undefined,
        () =>
          Promise.reject(
            new IdentityAuthError('invalid_grant', 'refresh failed: the-refresh-token with the-client-secret.', {
              description: 'the-refresh-token',
            }),
          ),
        ['the-refresh-token'],
      ),
    );
    expect((err as Error).message).toBe('b2trader.identity.auth: refresh failed: [redacted] with [redacted].');
    expect((err as IdentityAuthError).description).toBe('[redacted]');
  });
});

describe('readText', () => {
  it('a body lost mid-read is network, with the status', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"access'));
        controller.error(new TypeError('terminated'));
      },
    });
    const err = await rejectionOf(readText(new Response(body, { status: 200 }), 'token', new AbortController().signal));
    expect(err instanceof IdentityAuthError && err.kind).toBe('network');
    expect((err as IdentityAuthError).status).toBe(200);
    expect((err as Error).message).toBe(
      'b2trader.identity.auth: token failed: the connection was lost while the answer was read.',
    );
  });
});
