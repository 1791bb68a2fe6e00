import { createIdentityClient } from './config';
import {
  failureOf,
  type FailureRow,
  type FakeAnswer,
  fakeFetch,
  itMapsEachAnswer,
  json,
  rejectionOf,
} from './fake-fetch';
import { signIn } from './sign-in';

const URL_BASE = 'https://b2trader.example';
const PASSWORD = 'the-Passw0rd!';
const ACCOUNT = { nickname: 'trader', email: 'trader@example.com', id: '10e3bfcf-56f7-421d-84ea-1700209ae121' };
const REFUSED = { errors: [{ code: 'SignInUnsuccessful', message: 'The sign-in was unsuccessful' }] };
const P = 'b2trader.identity.auth: sign-in failed: ';

function clientAnswering(answer: FakeAnswer | (() => never)) {
  const fake = fakeFetch(() => (typeof answer === 'function' ? answer() : answer));
  return { client: createIdentityClient({ url: URL_BASE, clientId: 'spa', fetch: fake.fetch }), fake };
}

describe('signIn (fake fetch)', () => {
  it('posts the docs/protocol.md §1 request and returns the account', async () => {
    const { client, fake } = clientAnswering(json(200, { secondFactorRequired: false, account: ACCOUNT }));
    const result = await signIn(client, 'trader@example.com', PASSWORD);
    expect(result.secondFactorRequired).toBeFalse();
    expect(result.account).toEqual(ACCOUNT);
    expect(fake.requests.length).toBe(1);
    expect(fake.requests[0].url).toBe(`${URL_BASE}/identity/sign-in`);
    expect(fake.requests[0].method).toBe('POST');
    expect(fake.requests[0].headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(fake.requests[0].body)).toEqual({ email: 'trader@example.com', password: PASSWORD });
  });

  it('secondFactorRequired is a result, not an error', async () => {
    const { client } = clientAnswering(json(200, { secondFactorRequired: true, account: ACCOUNT }));
    expect((await signIn(client, 'trader@example.com', PASSWORD)).secondFactorRequired).toBeTrue();
  });

  const table: FailureRow[] = [
    [
      '400 with an errors array',
      json(400, REFUSED),
      {
        kind: 'invalid_credentials',
        status: 400,
        code: 'SignInUnsuccessful',
        description: 'The sign-in was unsuccessful',
        message: `${P}SignInUnsuccessful (The sign-in was unsuccessful).`,
      },
    ],
    [
      '200 with an errors array',
      json(200, REFUSED),
      { kind: 'invalid_credentials', status: 200, code: 'SignInUnsuccessful' },
    ],
    [
      '400 without a body',
      { status: 400 },
      { kind: 'invalid_credentials', status: 400, message: `${P}the sign-in was refused (400).` },
    ],
    ['401 without a body', { status: 401 }, { kind: 'invalid_credentials', message: `${P}Unauthorized (401).` }],
    [
      '404: the url has /identity or is not B2Trader',
      { status: 404, body: 'Not Found' },
      {
        kind: 'invalid_response',
        code: 'endpoint_not_found',
        message: `${P}the identity service answered 404. Check that "url" is B2Trader's base URL, without /identity.`,
      },
    ],
    [
      '403 from a gateway',
      { status: 403, body: '<html>Forbidden</html>' },
      { kind: 'invalid_client', status: 403, transient: false },
    ],
    [
      'an HTML 503',
      { status: 503, body: '<html>busy</html>', headers: { 'content-type': 'text/html' } },
      {
        kind: 'server',
        status: 503,
        transient: true,
        message: `${P}the identity service answered 503. Try again later.`,
      },
    ],
    [
      "429 with Retry-After as a date, read against the answer's Date (local clock 5 minutes fast)",
      {
        status: 429,
        headers: {
          date: new Date(Date.now() - 300_000).toUTCString(),
          'retry-after': new Date(Date.now() - 300_000 + 60_000).toUTCString(),
        },
      },
      { kind: 'rate_limited', retryAfterMs: 60_000, transient: true },
    ],
    [
      '200 that is not JSON',
      { status: 200, body: '<html>portal</html>', headers: { 'content-type': 'text/html' } },
      { kind: 'invalid_response', code: 'not_json', message: `${P}the answer is not JSON.` },
    ],
    ['200 without an account', json(200, {}), { kind: 'invalid_response', message: `${P}the answer has no account.` }],
  ];
  itMapsEachAnswer(
    table,
    (fetch) => signIn(createIdentityClient({ url: URL_BASE, clientId: 'spa', fetch }), 'trader@example.com', PASSWORD),
    PASSWORD,
  );

  it('a server that echoes the password does not get it into the error', async () => {
    const { client } = clientAnswering(
      json(400, { errors: [{ code: 'Bad', message: `password ${PASSWORD} is wrong` }] }),
    );
    const failure = await failureOf(signIn(client, 'trader@example.com', PASSWORD));
    expect(failure.description).toBe('password [redacted] is wrong');
  });

  it("the browser's Failed to fetch is network, naming the origin and CORS", async () => {
    const { client } = clientAnswering(() => {
      throw new TypeError('Failed to fetch');
    });
    expect(await failureOf(signIn(client, 'trader@example.com', PASSWORD))).toEqual({
      kind: 'network',
      transient: true,
      message: `${P}could not reach the identity service at ${URL_BASE}. The browser is offline, the service is down, or it does not allow this page's origin (CORS).`,
    });
  });

  it('a bug in a custom fetch goes up as it is', async () => {
    const bug = new TypeError('oops is not a function');
    const { client } = clientAnswering(() => {
      throw bug;
    });
    expect(await rejectionOf(signIn(client, 'trader@example.com', PASSWORD))).toBe(bug);
  });

  it('wrong arguments are TypeErrors naming them, before any request', async () => {
    const { client, fake } = clientAnswering(json(200, {}));
    await expectAsync(signIn(client, '', PASSWORD)).toBeRejectedWithError(TypeError, /"email"/);
    await expectAsync(signIn(client, 'a@b.c', undefined as unknown as string)).toBeRejectedWithError(
      TypeError,
      /"password"/,
    );
    expect(fake.requests.length).toBe(0);
  });
});
