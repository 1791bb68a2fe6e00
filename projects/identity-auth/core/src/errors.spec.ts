import fc from 'fast-check';

import { errorFromHttpAnswer, IdentityAuthError, isIdentityAuthError, parseRetryAfter, redactSecrets } from './errors';

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
      { kind: 'invalid_grant', traceId: '00-abc-def-00', code: 'Unauthorized' },
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
    ['an unexpected 404', ['token', 404, noHeaders, 'nope', NOW], { kind: 'invalid_response', status: 404 }],
  ];
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

describe('redactSecrets', () => {
  it('property: no run of 24 or more token characters survives', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^[A-Za-z0-9_-]{24,80}$/), fc.string(), (before, secret, after) => {
        expect(redactSecrets(`${before} ${secret} ${after}`)).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves ordinary messages alone', () => {
    expect(redactSecrets('refresh failed: invalid_grant (grant request is invalid).')).toBe(
      'refresh failed: invalid_grant (grant request is invalid).',
    );
  });
});
