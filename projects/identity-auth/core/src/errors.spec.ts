import fc from 'fast-check';

import {
  errorFromHttpAnswer,
  IdentityAuthError,
  isIdentityAuthError,
  issuerMismatchAdvice,
  kindForOAuthError,
  parseRetryAfter,
  redactSecrets,
} from './errors';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const noHeaders = { get: () => null };
const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });

describe('errorFromHttpAnswer', () => {
  const table: Array<[string, Parameters<typeof errorFromHttpAnswer>, Partial<IdentityAuthError>]> = [
    [
      '429 with seconds',
      ['refresh', 429, headers({ 'retry-after': '5' }), '', NOW],
      { kind: 'rate_limited', retryAfterMs: 5000, transient: true },
    ],
    [
      '429 with a date',
      ['token', 429, headers({ 'retry-after': 'Sat, 28 Nov 2026 10:00:30 GMT' }), '', NOW],
      { kind: 'rate_limited', retryAfterMs: 30_000 },
    ],
    [
      'HTML 502',
      ['refresh', 502, noHeaders, '<html>Bad Gateway</html>', NOW],
      { kind: 'server', status: 502, transient: true },
    ],
    ['503', ['sign-in', 503, noHeaders, '', NOW], { kind: 'server', status: 503 }],
    [
      '503 with Retry-After',
      ['refresh', 503, new Headers({ 'retry-after': '7' }), '', NOW],
      { kind: 'server', status: 503, retryAfterMs: 7_000 },
    ],
    [
      '400 invalid_grant',
      ['refresh', 400, noHeaders, '{"error":"invalid_grant","error_description":"used"}', NOW],
      { kind: 'invalid_grant', code: 'invalid_grant', description: 'used', transient: false },
    ],
    [
      '401 invalid_client',
      ['token', 401, noHeaders, '{"error":"invalid_client"}', NOW],
      { kind: 'invalid_client', status: 401 },
    ],
    [
      '400 unauthorized_client',
      ['password-grant', 400, noHeaders, '{"error":"unauthorized_client"}', NOW],
      { kind: 'invalid_client' },
    ],
    ['400 invalid_scope', ['refresh', 400, noHeaders, '{"error":"invalid_scope"}', NOW], { kind: 'invalid_client' }],
    [
      'RFC 7807 401 on the code exchange',
      [
        'token',
        401,
        noHeaders,
        JSON.stringify({
          type: 'https://tools.ietf.org/html/rfc7235#section-3.1',
          title: 'Unauthorized',
          status: 401,
          traceId: '00-abc-def-00',
        }),
        NOW,
      ],
      { kind: 'invalid_grant', traceId: '00-abc-def-00', code: 'unauthorized_problem', description: 'Unauthorized' },
    ],
    [
      'sign-in errors array',
      [
        'sign-in',
        400,
        noHeaders,
        '{"errors":[{"code":"SignInUnsuccessful","message":"The sign-in was unsuccessful"}]}',
        NOW,
      ],
      { kind: 'invalid_credentials', code: 'SignInUnsuccessful', description: 'The sign-in was unsuccessful' },
    ],
    ['sign-in 400 without body', ['sign-in', 400, noHeaders, '', NOW], { kind: 'invalid_credentials' }],
    ['sign-out 401', ['sign-out', 401, noHeaders, '', NOW], { kind: 'invalid_grant' }],
    [
      'a 404',
      ['token', 404, noHeaders, 'nope', NOW],
      { kind: 'invalid_response', status: 404, code: 'endpoint_not_found' },
    ],
    ['refresh 401 without a body', ['refresh', 401, noHeaders, '', NOW], { kind: 'invalid_grant', status: 401 }],
    [
      'refresh 401 with a B2Trader errors body',
      ['refresh', 401, noHeaders, '{"errors":[{"code":"Unauthorized","message":"no"}]}', NOW],
      { kind: 'invalid_grant', status: 401 },
    ],
    ['token 401 without a body', ['token', 401, noHeaders, '', NOW], { kind: 'invalid_grant', status: 401 }],
    [
      'password-grant 401 without a body',
      ['password-grant', 401, noHeaders, '', NOW],
      { kind: 'invalid_client', status: 401 },
    ],
    [
      '400 temporarily_unavailable',
      ['token', 400, noHeaders, '{"error":"temporarily_unavailable"}', NOW],
      { kind: 'server', transient: true },
    ],
    [
      "429 with a date, read against the answer's Date, not the local clock",
      [
        'refresh',
        429,
        headers({ 'retry-after': 'Sat, 28 Nov 2026 09:55:30 GMT', date: 'Sat, 28 Nov 2026 09:55:00 GMT' }),
        '',
        NOW,
      ],
      { kind: 'rate_limited', retryAfterMs: 30_000 },
    ],
  ];
  const viteProxyAnswer = headers({ 'content-type': 'text/plain', vary: 'Origin' });
  const devProxy: Array<[string, Parameters<typeof errorFromHttpAnswer>, string]> = [
    [
      "Angular's dev server (Vite) with its target down: an empty text/plain 500",
      ['sign-in', 500, viteProxyAnswer, '', NOW],
      'sign-in failed: is the identity service running? (a development proxy answered 500 for an unreachable target)',
    ],
    [
      "webpack's dev server with its target down: a 504 that says so",
      ['token', 504, noHeaders, 'Error occurred while trying to proxy: localhost:4200/identity/connect/token', NOW],
      'token failed: is the identity service running? (a development proxy answered 504 for an unreachable target)',
    ],
    [
      "a server's own HTML 500",
      ['sign-in', 500, headers({ 'content-type': 'text/html' }), '<html>Internal Server Error</html>', NOW],
      'sign-in failed: the identity service answered 500. Try again later.',
    ],
    [
      'an empty 502',
      ['refresh', 502, noHeaders, '', NOW],
      'refresh failed: the identity service answered 502. Try again later.',
    ],
  ];
  for (const [label, args, message] of devProxy) {
    it(`says what ${label} means`, () => {
      const err = errorFromHttpAnswer(...args);
      expect(err.message).toBe(`b2trader.identity.auth: ${message}`);
      expect(err.kind).toBe('server');
      expect(err.transient).toBeTrue();
    });
  }

  for (const [label, args, expected] of table) {
    it(`maps ${label}`, () => {
      const err = errorFromHttpAnswer(...args);
      expect(err).toEqual(jasmine.objectContaining(expected));
      expect(err.message).toMatch(/^b2trader\.identity\.auth: /);
      expect(isIdentityAuthError(err, err.kind)).toBeTrue();
    });
  }

  it('never puts a token the server echoes into the message or description', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const err = errorFromHttpAnswer(
      'refresh',
      400,
      noHeaders,
      JSON.stringify({ error: 'invalid_grant', error_description: `refresh token ${token} is used` }),
      NOW,
    );
    expect(err.message).not.toContain(token);
    expect(err.description).not.toContain(token);
    expect(err.description).toContain('[redacted]');
  });

  it('property: any status, Retry-After and body give an IdentityAuthError whose flags agree with its kind', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.option(fc.string(), { nil: null }),
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        fc.constantFrom('sign-in', 'authorize', 'token', 'refresh', 'password-grant', 'sign-out'),
        (status, retryAfter, body, step) => {
          const err = errorFromHttpAnswer(step as 'token', status, { get: () => retryAfter }, body, NOW);
          expect(err instanceof IdentityAuthError).toBeTrue();
          expect(err.transient).toBe(['network', 'timeout', 'server', 'rate_limited'].includes(err.kind));
          if (status === 429) expect(err.kind).toBe('rate_limited');
          if (status >= 500) expect(err.kind).toBe('server');
          if (err.retryAfterMs !== undefined) expect(err.retryAfterMs).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 10:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 09:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe('one table of OAuth error codes', () => {
  const table: Array<[string, string]> = [
    ['invalid_grant', 'invalid_grant'],
    ['invalid_token', 'invalid_grant'],
    ['access_denied', 'access_denied'],
    ['login_required', 'login_required'],
    ['interaction_required', 'login_required'],
    ['invalid_client', 'invalid_client'],
    ['unauthorized_client', 'invalid_client'],
    ['invalid_scope', 'invalid_client'],
    ['unsupported_grant_type', 'invalid_client'],
    ['server_error', 'server'],
    ['temporarily_unavailable', 'server'],
    ['something_else', 'invalid_response'],
    ['toString', 'invalid_response'],
  ];
  for (const [code, kind] of table) {
    it(`${code} → ${kind}, at the token endpoint as on the authorize redirect`, () => {
      expect(kindForOAuthError(code)).toBe(kind);
      expect(errorFromHttpAnswer('token', 400, noHeaders, JSON.stringify({ error: code }), NOW).kind).toBe(kind);
    });
  }

  it('a 401 on refresh is one kind with or without a body', () => {
    const bare = errorFromHttpAnswer('refresh', 401, noHeaders, '', NOW);
    const problem = errorFromHttpAnswer('refresh', 401, noHeaders, '{"title":"Unauthorized","status":401}', NOW);
    const html = errorFromHttpAnswer('refresh', 401, noHeaders, '<html>401</html>', NOW);
    expect([bare.kind, problem.kind, html.kind]).toEqual(['invalid_grant', 'invalid_grant', 'invalid_grant']);
  });
});

// secrets without the characters of "[redacted]", so that no occurrence can be made of the marker itself
const SECRET = fc.stringMatching(/^[0-9A-Zbf-qsu-z!@#%&*+/=_~ -]{4,40}$/);

describe('redactSecrets', () => {
  it('property: a secret the call handled never survives, however it is surrounded', () => {
    fc.assert(
      fc.property(fc.string(), SECRET, fc.string(), (before, secret, after) => {
        const redacted = redactSecrets(`${before}${secret}${after}`, [secret]);
        expect(redacted.includes(secret)).withContext(redacted).toBeFalse();
      }),
      { numRuns: 500 },
    );
  });

  it('redacts JWT-shaped strings without being told', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    expect(redactSecrets(`token ${jwt} refused`)).toBe('token [redacted] refused');
  });

  it("leaves the library's own words alone: URLs, ids, ports", () => {
    const text =
      'authorize failed: check the client id and that http://127.0.0.1:5055/identity/sign-in-done is registered (00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00).';
    expect(redactSecrets(text, ['Passw0rd!'])).toBe(text);
  });

  it('redacts a secret in its URL-encoded and form-encoded forms too', () => {
    expect(redactSecrets('password=p%40ss+w%2Frd and p@ss w/rd', ['p@ss w/rd'])).toBe(
      'password=[redacted] and [redacted]',
    );
  });

  it('leaves ordinary messages alone', () => {
    expect(redactSecrets('refresh failed: invalid_grant (grant request is invalid).')).toBe(
      'refresh failed: invalid_grant (grant request is invalid).',
    );
  });
});

describe('issuerMismatchAdvice', () => {
  const expected = 'http://localhost:4200/identity';
  it("names the id_token's issuer and the expected one", () => {
    const err = new Error('unexpected JWT "iss" (issuer) claim value', {
      cause: { expected, claims: { iss: 'http://127.0.0.1:5055/identity', sub: 'x' } },
    });
    expect(issuerMismatchAdvice(err)).toMatch(
      /^: the identity service names itself http:\/\/127\.0\.0\.1:5055\/identity; this app expects http:\/\/localhost:4200\/identity\. The issuer must be on the origin the browser sees/,
    );
  });
  it('says nothing about other errors', () => {
    expect(
      issuerMismatchAdvice(new Error('unexpected JWT "aud" (audience) claim value', { cause: { expected } })),
    ).toBe('');
    expect(issuerMismatchAdvice(new Error('unexpected "iss" (issuer) response parameter value'))).toBe('');
    expect(issuerMismatchAdvice('iss')).toBe('');
  });
});
