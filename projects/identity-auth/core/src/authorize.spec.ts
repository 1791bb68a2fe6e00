import { type AuthorizationRequest, createAuthorizationRequest, validateAuthorizationResult } from './authorize';
import { createIdentityClient } from './config';
import { IdentityAuthError } from './errors';

const client = createIdentityClient({ url: 'https://b2trader.example', clientId: 'spa' });
const request: AuthorizationRequest = {
  url: new URL('https://b2trader.example/identity/connect/authorize'),
  state: 'the-state',
  nonce: 'the-nonce',
  codeVerifier: 'v'.repeat(43),
  redirectUri: 'https://b2trader.example/identity/sign-in-done',
};
const DONE = 'https://b2trader.example/identity/sign-in-done';

function kindOf(finalUrl: string): string {
  try {
    validateAuthorizationResult(client, request, finalUrl);
    return 'ok';
  } catch (err) {
    return err instanceof IdentityAuthError ? err.kind : `unexpected ${String(err)}`;
  }
}

describe('createAuthorizationRequest', () => {
  it('builds the docs/protocol.md §2 URL with a fresh S256 challenge, state and nonce each time', async () => {
    const [a, b] = await Promise.all([createAuthorizationRequest(client), createAuthorizationRequest(client)]);
    expect(a.url.origin + a.url.pathname).toBe('https://b2trader.example/identity/connect/authorize');
    expect([...a.url.searchParams.keys()]).toEqual([
      'client_id',
      'response_type',
      'redirect_uri',
      'code_challenge',
      'code_challenge_method',
      'scope',
      'state',
      'nonce',
    ]);
    expect(a.url.searchParams.get('scope')).toBe('openid offline_access FrontOffice');
    expect(a.url.searchParams.get('redirect_uri')).toBe(DONE);
    expect(a.url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(a.url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.url.searchParams.has('code_verifier')).toBeFalse();
    expect(a.state).not.toBe(b.state);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
  });
});

describe('validateAuthorizationResult', () => {
  it('returns the code of a well-formed answer', () => {
    const result = validateAuthorizationResult(
      client,
      request,
      `${DONE}?code=abc&scope=openid&state=the-state&session_state=x.y`,
    );
    expect(result.code).toBe('abc');
    expect(result.request).toBe(request);
  });

  const table: Array<[string, string, string]> = [
    ['the unauthorized page', 'https://b2trader.example/identity/unauthorized', 'login_required'],
    ['another path', 'https://b2trader.example/identity/elsewhere?code=abc&state=the-state', 'invalid_response'],
    ['another origin', 'https://evil.test/identity/sign-in-done?code=abc&state=the-state', 'invalid_response'],
    [
      'http instead of https',
      'http://b2trader.example/identity/sign-in-done?code=abc&state=the-state',
      'invalid_response',
    ],
    ['a missing state', `${DONE}?code=abc`, 'state_mismatch'],
    ['another state', `${DONE}?code=abc&state=forged`, 'state_mismatch'],
    ['a repeated state', `${DONE}?code=abc&state=the-state&state=the-state`, 'state_mismatch'],
    ['access_denied', `${DONE}?error=access_denied&error_description=no&state=the-state`, 'access_denied'],
    ['login_required', `${DONE}?error=login_required&state=the-state`, 'login_required'],
    ['invalid_request', `${DONE}?error=invalid_request&state=the-state`, 'invalid_client'],
    ['another issuer', `${DONE}?code=abc&state=the-state&iss=https%3A%2F%2Fevil.test%2Fidentity`, 'invalid_response'],
    ['no code', `${DONE}?state=the-state`, 'invalid_response'],
  ];
  for (const [label, url, kind] of table) {
    it(`refuses ${label} as ${kind}`, () => expect(kindOf(url)).toBe(kind));
  }

  it('names both issuers when the answer names another one, and how to make them agree', () => {
    try {
      validateAuthorizationResult(
        client,
        request,
        `${DONE}?code=abc&state=the-state&iss=${encodeURIComponent('http://127.0.0.1:5055/identity')}`,
      );
      fail('expected an error');
    } catch (err) {
      expect((err as IdentityAuthError).kind).toBe('invalid_response');
      expect((err as IdentityAuthError).message).toContain(
        'authorize failed: unexpected "iss" (issuer) response parameter value: the identity service names itself ' +
          'http://127.0.0.1:5055/identity; this app expects https://b2trader.example/identity. ' +
          'The issuer must be on the origin the browser sees',
      );
      expect((err as IdentityAuthError).message).not.toContain('abc');
    }
  });

  it('accepts the right iss', () => {
    expect(
      kindOf(`${DONE}?code=abc&state=the-state&iss=${encodeURIComponent('https://b2trader.example/identity')}`),
    ).toBe('ok');
  });

  it('carries the server description of an error answer', () => {
    try {
      validateAuthorizationResult(
        client,
        request,
        `${DONE}?error=access_denied&error_description=The%20trader%20is%20blocked&state=the-state`,
      );
      fail('expected an error');
    } catch (err) {
      expect((err as IdentityAuthError).description).toBe('The trader is blocked');
    }
  });
});
