import { createIdentityClient } from './config';
import { type FailureRow, type FakeAnswer, fakeFetch, itMapsEachAnswer, json, rejectionOf } from './fake-fetch';
import { signOut } from './sign-out';

const URL_BASE = 'https://b2trader.example';
const P = 'b2trader.identity.auth: sign-out failed: ';

function clientAnswering(answer: FakeAnswer) {
  const fake = fakeFetch(() => answer);
  return { client: createIdentityClient({ url: URL_BASE, clientId: 'spa', fetch: fake.fetch }), fake };
}

describe('signOut (fake fetch)', () => {
  it('posts the docs/protocol.md §5 request: Bearer, JSON, the refresh token or {}', async () => {
    const { client, fake } = clientAnswering({ status: 200 });
    await signOut(client, 'the-access-token', 'the-refresh-token');
    await signOut(client, 'the-access-token');
    expect(fake.requests.map((r) => [r.url, r.method, r.headers.get('authorization'), r.body])).toEqual([
      [`${URL_BASE}/identity/sign-out`, 'POST', 'Bearer the-access-token', '{"refresh_token":"the-refresh-token"}'],
      [`${URL_BASE}/identity/sign-out`, 'POST', 'Bearer the-access-token', '{}'],
    ]);
    expect(fake.requests[0].headers.get('content-type')).toBe('application/json');
  });

  it('lets the request outlive the page (keepalive) only when asked to', async () => {
    const keepalive: (boolean | undefined)[] = [];
    const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      keepalive.push(init?.keepalive);
      return new Response(null, { status: 204 });
    }) as typeof globalThis.fetch;
    const client = createIdentityClient({ url: URL_BASE, clientId: 'spa', fetch });
    await signOut(client, 'the-access-token', 'the-refresh-token', { keepalive: true });
    await signOut(client, 'the-access-token', 'the-refresh-token');
    expect(keepalive).toEqual([true, undefined]);
  });

  it('sends extra headers, but never lets them replace the Bearer token', async () => {
    const { client, fake } = clientAnswering({ status: 204 });
    await signOut(client, 'the-access-token', undefined, { headers: { cookie: 'a=b', authorization: 'Basic x' } });
    expect(fake.requests[0].headers.get('authorization')).toBe('Bearer the-access-token');
  });

  const table: FailureRow[] = [
    [
      '401 without a body',
      { status: 401 },
      {
        kind: 'invalid_grant',
        status: 401,
        message: `${P}Unauthorized (401). The token is already revoked or expired: forget it locally.`,
      },
    ],
    [
      '401 invalid_token (RFC 6750)',
      json(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' }),
      { kind: 'invalid_grant', code: 'invalid_token' },
    ],
    [
      'an empty 500, as a development proxy answers for an unreachable target',
      { status: 500 },
      {
        kind: 'server',
        transient: true,
        message: `${P}is the identity service running? (a development proxy answered 500 for an unreachable target)`,
      },
    ],
    [
      'an HTML 500',
      { status: 500, body: '<html>error</html>', headers: { 'content-type': 'text/html' } },
      { kind: 'server', transient: true, message: `${P}the identity service answered 500. Try again later.` },
    ],
    ['429 in seconds', { status: 429, headers: { 'retry-after': '3' } }, { kind: 'rate_limited', retryAfterMs: 3000 }],
    ['404', { status: 404 }, { kind: 'invalid_response', code: 'endpoint_not_found' }],
  ];
  itMapsEachAnswer(
    table,
    (fetch) =>
      signOut(createIdentityClient({ url: URL_BASE, clientId: 'spa', fetch }), 'the-access-token', 'the-refresh-token'),
    'the-refresh-token',
  );

  it('an access token a header cannot carry is a TypeError that does not repeat it, before any request', async () => {
    const { client, fake } = clientAnswering({ status: 200 });
    const err = await rejectionOf(signOut(client, 'the-access\ntoken'));
    expect(err instanceof TypeError).toBeTrue();
    expect((err as Error).message).toBe(
      'b2trader.identity.auth: "accessToken" has characters a bearer token cannot have',
    );
    expect(fake.requests.length).toBe(0);
  });

  it('headers a request cannot carry are a TypeError naming "headers", before any request', async () => {
    const { client, fake } = clientAnswering({ status: 200 });
    await expectAsync(
      signOut(client, 'the-access-token', undefined, { headers: { cookie: 'a=b\nx: y' } }),
    ).toBeRejectedWithError(TypeError, /"headers" must be valid HTTP headers/);
    expect(fake.requests.length).toBe(0);
  });
});
