import { createAuthorizationRequest, validateAuthorizationResult, type AuthorizationResult } from './authorize';
import { createIdentityClient, type IdentityClient } from './config';
import { failureOf, type FailureRow, type FakeAnswer, fakeFetch, itMapsEachAnswer, json } from './fake-fetch';
import { passwordGrant } from './password-grant';
import { exchangeCode, refreshTokens } from './token';

const URL_BASE = 'https://b2trader.example';
const ISSUER = `${URL_BASE}/identity`;

function base64url(value: object): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An id_token with these claims; oauth4webapi checks claims, not the signature, on a token answer. */
function idToken(claims: object): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: ISSUER, aud: 'spa', iat: now, exp: now + 300, sub: 'user-1', ...claims };
  return `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(payload)}.c2lnbmF0dXJl`;
}

function tokens(extra: object = {}): FakeAnswer {
  return json(200, {
    access_token: 'new-access',
    token_type: 'Bearer',
    expires_in: 30,
    refresh_token: 'new-refresh',
    ...extra,
  });
}

function clientAnswering(answer: FakeAnswer | ((n: number) => FakeAnswer), clientId = 'spa', clientSecret?: string) {
  let n = 0;
  const fake = fakeFetch(() => (typeof answer === 'function' ? answer(n++) : answer));
  const client = createIdentityClient({ url: URL_BASE, clientId, clientSecret, fetch: fake.fetch });
  return { client, fake };
}

async function authorizationFor(client: IdentityClient): Promise<AuthorizationResult> {
  const request = await createAuthorizationRequest(client);
  return validateAuthorizationResult(client, request, `${request.redirectUri}?code=the-code&state=${request.state}`);
}

const R = 'b2trader.identity.auth: refresh failed: ';

describe('refreshTokens (fake fetch)', () => {
  const problem = {
    type: 'https://tools.ietf.org/html/rfc7235#section-3.1',
    title: 'Unauthorized',
    status: 401,
    traceId: '00-abc-def-00',
  };
  const table: FailureRow[] = [
    [
      '400 invalid_grant',
      json(400, { error: 'invalid_grant', error_description: 'grant request is invalid' }),
      {
        kind: 'invalid_grant',
        status: 400,
        code: 'invalid_grant',
        transient: false,
        message: `${R}invalid_grant (grant request is invalid). The session is over: sign in again.`,
      },
    ],
    [
      '401 without a body',
      { status: 401 },
      { kind: 'invalid_grant', status: 401, message: `${R}Unauthorized (401). The session is over: sign in again.` },
    ],
    [
      "401 with B2Trader's RFC 7807 document: the same kind as without",
      json(401, problem, { 'content-type': 'application/problem+json' }),
      {
        kind: 'invalid_grant',
        status: 401,
        code: 'unauthorized_problem',
        traceId: '00-abc-def-00',
        message: `${R}Unauthorized (401); see traceId. The session is over: sign in again.`,
      },
    ],
    [
      '401 invalid_client',
      json(401, { error: 'invalid_client' }),
      {
        kind: 'invalid_client',
        message: `${R}invalid_client. Check the client id, secret and scope in the configuration.`,
      },
    ],
    [
      '400 temporarily_unavailable: transient, as on the authorize redirect',
      json(400, { error: 'temporarily_unavailable' }),
      { kind: 'server', transient: true, code: 'temporarily_unavailable' },
    ],
    [
      'an HTML 502',
      { status: 502, body: '<html>Bad Gateway</html>' },
      { kind: 'server', status: 502, transient: true },
    ],
    [
      '200 text/html with a token-shaped body',
      { status: 200, body: '{"access_token":"x","token_type":"Bearer"}', headers: { 'content-type': 'text/html' } },
      {
        kind: 'invalid_response',
        code: 'not_json',
        message: `${R}the answer is not JSON (text/html); nothing was kept.`,
      },
    ],
    [
      '200 JSON without access_token',
      json(200, { token_type: 'Bearer' }),
      {
        kind: 'invalid_response',
        code: 'invalid_token_response',
        message: `${R}the token answer has no access_token; nothing was kept.`,
      },
    ],
    [
      '200 with an id_token for another user than expectedSubject',
      tokens({ id_token: idToken({ sub: 'someone-else' }) }),
      {
        kind: 'invalid_response',
        code: 'subject_mismatch',
        message: `${R}the id_token is for another subject; nothing was kept.`,
      },
    ],
  ];
  itMapsEachAnswer(
    table,
    (fetch) =>
      refreshTokens(createIdentityClient({ url: URL_BASE, clientId: 'spa', fetch }), 'old-refresh', {
        expectedSubject: 'user-1',
      }),
    'old-refresh',
  );

  it('an answer without an id_token has nothing to check against expectedSubject: accepted, no claims', async () => {
    const { client } = clientAnswering(tokens());
    const result = await refreshTokens(client, 'old-refresh', { expectedSubject: 'user-1' });
    expect(result.accessToken).toBe('new-access');
    expect(result.idTokenClaims).toBeUndefined();
  });

  it('an id_token for the expected user is accepted with its claims', async () => {
    const { client } = clientAnswering(tokens({ id_token: idToken({}) }));
    expect((await refreshTokens(client, 'old-refresh', { expectedSubject: 'user-1' })).idTokenClaims?.sub).toBe(
      'user-1',
    );
  });

  it('sends docs/protocol.md §4: client_id, grant_type, refresh_token, scope; Basic only with a secret', async () => {
    const { client, fake } = clientAnswering(tokens());
    await refreshTokens(client, 'old-refresh');
    const form = new URLSearchParams(fake.requests[0].body);
    expect([...form.keys()]).toEqual(['client_id', 'grant_type', 'refresh_token', 'scope']);
    expect(form.get('scope')).toBe('openid offline_access FrontOffice');
    expect(fake.requests[0].headers.get('authorization')).toBeNull();
  });
});

describe('exchangeCode (fake fetch)', () => {
  function answerWithIdToken(result: () => AuthorizationResult): FakeAnswer {
    return tokens({ id_token: idToken({ nonce: result().request.nonce }) });
  }

  it('concurrent calls for one code share one request and one TokenSet', async () => {
    const held: { result?: AuthorizationResult } = {};
    const { client, fake } = clientAnswering(() => answerWithIdToken(() => held.result!));
    const result = (held.result = await authorizationFor(client));
    const [a, b] = await Promise.all([exchangeCode(client, result), exchangeCode(client, result)]);
    expect(fake.requests.length).toBe(1);
    expect(a).toBe(b);
  });

  it('one caller aborting a shared exchange fails only that caller: the other gets the tokens', async () => {
    const held: { result?: AuthorizationResult } = {};
    const { client, fake } = clientAnswering(() => answerWithIdToken(() => held.result!));
    const result = (held.result = await authorizationFor(client));
    const quitter = new AbortController();
    const first = exchangeCode(client, result, { signal: quitter.signal });
    const second = exchangeCode(client, result);
    quitter.abort(new DOMException('gave up', 'AbortError'));
    await expectAsync(first).toBeRejectedWith(quitter.signal.reason);
    expect((await second).accessToken).toBe('new-access');
    expect(fake.requests.length).toBe(1);
  });

  it('a code already exchanged is invalid_grant code_already_used, without a request', async () => {
    const held: { result?: AuthorizationResult } = {};
    const { client, fake } = clientAnswering(() => answerWithIdToken(() => held.result!));
    const result = (held.result = await authorizationFor(client));
    await exchangeCode(client, result);
    expect(await failureOf(exchangeCode(client, result))).toEqual({
      kind: 'invalid_grant',
      code: 'code_already_used',
      transient: false,
      message:
        'b2trader.identity.auth: token failed: this code was already exchanged or refused, and a code works once. Start the login again.',
    });
    expect(fake.requests.length).toBe(1);
  });

  it('after a transient failure the same code may be sent again', async () => {
    const held: { result?: AuthorizationResult } = {};
    const { client, fake } = clientAnswering((n) =>
      n === 0 ? { status: 503 } : answerWithIdToken(() => held.result!),
    );
    const result = (held.result = await authorizationFor(client));
    expect((await failureOf(exchangeCode(client, result))).kind).toBe('server');
    expect((await exchangeCode(client, result)).accessToken).toBe('new-access');
    expect(fake.requests.length).toBe(2);
  });

  it('a refused code says it was used or expired', async () => {
    const { client } = clientAnswering(json(400, { error: 'invalid_grant' }));
    const failure = await failureOf(exchangeCode(client, await authorizationFor(client)));
    expect(failure.message).toBe(
      'b2trader.identity.auth: token failed: invalid_grant. The code was already used or has expired: start the login again.',
    );
  });

  it('anything but an authorize() result is a TypeError naming "authorization", before any request', async () => {
    const { client, fake } = clientAnswering(tokens());
    for (const wrong of [{}, null, { code: 'c' }, { code: 'c', request: {}, parameters: new URLSearchParams() }]) {
      await expectAsync(exchangeCode(client, wrong as unknown as AuthorizationResult)).toBeRejectedWithError(
        TypeError,
        'b2trader.identity.auth: "authorization" must be the result of authorize()',
      );
    }
    expect(fake.requests.length).toBe(0);
  });
});

describe('passwordGrant (fake fetch)', () => {
  it('a refusal asks to check the credentials, not to sign in again', async () => {
    const { client } = clientAnswering(
      json(400, { error: 'invalid_grant', error_description: 'invalid credentials' }),
      'core_ib',
      'some_core_ib_secret',
    );
    const failure = await failureOf(passwordGrant(client, 'trader@example.com', 'the-Passw0rd!'));
    expect(failure).toEqual(
      jasmine.objectContaining({
        kind: 'invalid_grant',
        message:
          "b2trader.identity.auth: password-grant failed: invalid_grant (invalid credentials). Check the service account's email and password.",
      }),
    );
  });
});
