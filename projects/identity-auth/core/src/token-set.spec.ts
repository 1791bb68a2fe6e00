import fc from 'fast-check';

import { IdentityAuthError } from './errors';
import { DEFAULT_LIFETIME_SEC, MAX_LIFETIME_SEC, parseTokenResponse, tokenSetFromResponse } from './token-set';

const NOW = 1_800_000_000_000;

function expectInvalid(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught instanceof IdentityAuthError)
    .withContext(String(caught))
    .toBeTrue();
  expect((caught as IdentityAuthError).kind).toBe('invalid_response');
}

describe('tokenSetFromResponse', () => {
  const valid = {
    access_token: 'at',
    token_type: 'Bearer',
    expires_in: 60,
    refresh_token: 'rt',
    scope: 'openid FrontOffice offline_access',
  };

  it('computes expiresAt from expires_in and the arrival time', () => {
    const set = tokenSetFromResponse(valid, NOW);
    expect(set).toEqual({
      accessToken: 'at',
      tokenType: 'Bearer',
      expiresAt: NOW + 60_000,
      expiresIn: 60,
      refreshToken: 'rt',
      scope: 'openid FrontOffice offline_access',
      receivedAt: NOW,
    });
  });

  const refused: Array<[string, unknown]> = [
    ['null', null],
    ['an array', []],
    ['a string', 'x'],
    ['a number', 1],
    ['no access_token', { token_type: 'Bearer' }],
    ['an empty access_token', { access_token: '', token_type: 'Bearer' }],
    ['a numeric access_token', { access_token: 5, token_type: 'Bearer' }],
    ['no token_type', { access_token: 'at' }],
    ['token_type mac', { access_token: 'at', token_type: 'mac' }],
    ['negative expires_in', { ...valid, expires_in: -1 }],
    ['NaN expires_in', { ...valid, expires_in: Number.NaN }],
    ['expires_in "abc"', { ...valid, expires_in: 'abc' }],
    ['Infinity expires_in', { ...valid, expires_in: Number.POSITIVE_INFINITY }],
    ['refresh_token null', { ...valid, refresh_token: null }],
    ['refresh_token empty', { ...valid, refresh_token: '' }],
    ['a numeric id_token', { ...valid, id_token: 1 }],
    ['a numeric scope', { ...valid, scope: 3 }],
  ];
  for (const [label, body] of refused) {
    it(`refuses ${label} as invalid_response`, () => expectInvalid(() => tokenSetFromResponse(body, NOW)));
  }

  it('accepts BEARER in any case', () => {
    expect(tokenSetFromResponse({ ...valid, token_type: 'bEaReR' }, NOW).tokenType).toBe('Bearer');
  });

  it('defaults a missing expires_in and caps an absurd one', () => {
    const { expires_in: _, ...withoutLifetime } = valid;
    expect(tokenSetFromResponse(withoutLifetime, NOW).expiresIn).toBe(DEFAULT_LIFETIME_SEC);
    expect(tokenSetFromResponse({ ...valid, expires_in: 1e15 }, NOW).expiresIn).toBe(MAX_LIFETIME_SEC);
    expect(tokenSetFromResponse({ ...valid, expires_in: '45' }, NOW).expiresIn).toBe(45);
  });

  it('treats expires_in 0 as due at once (1 s)', () => {
    expect(tokenSetFromResponse({ ...valid, expires_in: 0 }, NOW).expiresAt).toBe(NOW + 1000);
  });

  it('keeps the previous refresh token when the answer has none', () => {
    const { refresh_token: _, ...withoutRefresh } = valid;
    expect(tokenSetFromResponse(withoutRefresh, NOW, { previousRefreshToken: 'old' }).refreshToken).toBe('old');
    expect(tokenSetFromResponse(valid, NOW, { previousRefreshToken: 'old' }).refreshToken).toBe('rt');
  });

  describe('properties (fast-check)', () => {
    function checkOutcome(run: () => ReturnType<typeof tokenSetFromResponse>): void {
      try {
        const set = run();
        expect(typeof set.accessToken === 'string' && set.accessToken.length > 0).toBeTrue();
        expect(Number.isFinite(set.expiresAt)).toBeTrue();
        expect(set.expiresAt).toBeGreaterThan(set.receivedAt);
        expect(set.tokenType).toBe('Bearer');
      } catch (err) {
        expect(err instanceof IdentityAuthError && err.kind === 'invalid_response')
          .withContext(String(err))
          .toBeTrue();
      }
    }

    it('any JSON value yields a usable TokenSet or invalid_response, never a crash', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => checkOutcome(() => tokenSetFromResponse(value, NOW))),
        { numRuns: 500 },
      );
    });

    it('token-shaped objects with arbitrary field values never yield a TokenSet without a token or a finite future expiry', () => {
      const anyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.double(), fc.string());
      const shaped = fc.record(
        {
          access_token: anyValue,
          token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'DPoP', ''), anyValue),
          expires_in: anyValue,
          refresh_token: anyValue,
          id_token: anyValue,
          scope: anyValue,
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(shaped, fc.option(fc.string({ minLength: 1 }), { nil: undefined }), (body, previous) =>
          checkOutcome(() => tokenSetFromResponse(body, NOW, { previousRefreshToken: previous })),
        ),
        { numRuns: 1000 },
      );
    });

    it('any string, and every truncation of a valid answer, parses to a TokenSet or invalid_response', () => {
      const text = JSON.stringify({ ...valid, id_token: 'a.b.c' });
      fc.assert(
        fc.property(fc.string(), (s) => checkOutcome(() => parseTokenResponse(s, NOW))),
        { numRuns: 500 },
      );
      for (let cut = 0; cut < text.length; cut += 1) {
        expectInvalid(() => parseTokenResponse(text.slice(0, cut), NOW));
      }
      expect(parseTokenResponse(text, NOW).accessToken).toBe('at');
    });
  });
});
