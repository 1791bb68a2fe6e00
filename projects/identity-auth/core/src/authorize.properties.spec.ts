// Security property: for arbitrary endings of the authorize step — the
// final URL's origin, path, query and fragment — only a well-formed answer at the
// registered redirect URI whose single `state` is the one sent yields a code.
import fc from 'fast-check';

import { type AuthorizationRequest, createAuthorizationRequest, validateAuthorizationResult } from './authorize';
import { createIdentityClient } from './config';

const BASE = 'https://b2trader.example';
const client = createIdentityClient({ url: BASE, clientId: 'spa' });

/**
 * Whether `url` (as the browser's parser reads it) is a well-formed answer to `request` at its
 * redirect URI; with `singleCode`, a repeated `code` makes it malformed too (RFC 6749 §3.1).
 */
function wellFormedAnswer(url: URL, request: AuthorizationRequest, singleCode: boolean): boolean {
  const redirect = new URL(request.redirectUri);
  const q = url.searchParams;
  const codes = q.getAll('code');
  return (
    url.origin === redirect.origin &&
    url.pathname === redirect.pathname &&
    q.getAll('state').length === 1 &&
    q.get('state') === request.state &&
    !q.has('error') &&
    (singleCode ? codes.length === 1 : codes.length >= 1) &&
    codes[0] !== '' &&
    q.getAll('iss').length <= 1 &&
    q.getAll('iss').every((iss) => iss === `${BASE}/identity`)
  );
}

describe('security property: only a well-formed, state-matching answer yields a code (fast-check)', () => {
  let request: AuthorizationRequest;
  beforeAll(async () => {
    request = await createAuthorizationRequest(client);
  });

  const origin = fc.constantFrom(
    BASE,
    'https://B2TRADER.example',
    'https://b2trader.example:443',
    'http://b2trader.example',
    'https://b2trader.example:8443',
    'https://evil.test',
    'https://b2trader.example.evil.test',
    'https://user@b2trader.example',
  );
  const path = fc.constantFrom(
    '/identity/sign-in-done',
    '/identity/sign-in-done/',
    '/identity/Sign-In-Done',
    '/identity/x/../sign-in-done',
    '/identity/sign%2Din%2Ddone',
    '/identity/unauthorized',
    '/identity/sign-in-done/extra',
    '/sign-in-done',
    '',
  );
  const parameter = (state: () => string) =>
    fc.oneof(
      fc.constantFrom('code=c0de', 'code=', 'code=other', 'scope=openid', 'session_state=s', 'error=access_denied'),
      fc.constantFrom(`iss=${encodeURIComponent(`${BASE}/identity`)}`, 'iss=https%3A%2F%2Fevil.test%2Fidentity'),
      fc.constant(null).map(() => `state=${state()}`),
      fc.constantFrom('state=', 'state=forged', 'STATE=x'),
      fc
        .tuple(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string({ maxLength: 8 }))
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
    );
  const ending = fc
    .tuple(
      origin,
      path,
      fc.array(
        parameter(() => request.state),
        { maxLength: 6 },
      ),
      fc.constantFrom('', '#', '#code=frag&state=frag'),
    )
    .chain(([o, p, params, fragment]) =>
      // the right state, placed in the fragment only
      fc.boolean().map((stateInFragment) => {
        const hash = stateInFragment ? `#state=${request.state}&code=f` : fragment;
        return `${o}${p}${params.length ? `?${params.join('&')}` : ''}${hash}`;
      }),
    );

  /** The property: whatever `validateAuthorizationResult` accepts is a well-formed answer, and its code is the answer's. */
  const onlyWellFormed = (singleCode: boolean) =>
    fc.property(ending, (final) => {
      let code: string | undefined;
      try {
        code = validateAuthorizationResult(client, request, final).code;
      } catch {
        return true;
      }
      const url = new URL(final);
      return wellFormedAnswer(url, request, singleCode) && code === url.searchParams.get('code');
    });

  it("for arbitrary endings, a code comes back only at the redirect URI with the one state sent, no error, and it is the answer's code", () => {
    fc.assert(onlyWellFormed(false), { numRuns: 5_000 });
  });

  // RFC 6749 §3.1: a parameter must not appear twice; oauth4webapi checks that for `iss` and `state`,
  // validateAuthorizationResult adds `code`.
  it('… and a repeated `code` is refused too (RFC 6749 §3.1)', () => {
    fc.assert(onlyWellFormed(true), { numRuns: 5_000 });
  });

  it('every well-formed answer (either order, extra parameters once each, with or without iss) yields its code', () => {
    const extra = fc.subarray(['scope=openid', 'session_state=s1', `iss=${encodeURIComponent(`${BASE}/identity`)}`]);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), extra, fc.boolean(), (code, more, stateFirst) => {
        const core = stateFirst
          ? [`state=${request.state}`, `code=${code}`]
          : [`code=${code}`, `state=${request.state}`];
        const final = `${request.redirectUri}?${[...core, ...more].join('&')}`;
        return validateAuthorizationResult(client, request, final).code === code;
      }),
      { numRuns: 1_000 },
    );
  });
});
