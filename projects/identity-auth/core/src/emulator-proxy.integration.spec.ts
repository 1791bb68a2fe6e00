// Integration (real Chromium, real emulator through the Karma proxy): the test
// bed puts the identity service on the page's own origin, as production does.

declare const __karma__: { config: { identityEmulator?: boolean } };

function randomUrlSafe(bytes = 32): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...data))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

describe('integration: the identity emulator on the page origin', () => {
  beforeAll(() => {
    if (!__karma__.config.identityEmulator) {
      fail('run through `npm test` (or scripts/karma-with-emulator.mjs), which starts the emulator');
    }
  });

  it('publishes its issuer on the page origin', async () => {
    const discovery = await (await fetch('/identity/.well-known/openid-configuration')).json();
    expect(discovery.issuer).toBe(`${location.origin}/identity`);
    expect(discovery.token_endpoint).toBe(`${location.origin}/identity/connect/token`);
  });

  it('keeps the sign-in cookie HttpOnly and follows authorize to sign-in-done with a code', async () => {
    const signIn = await fetch('/identity/sign-in', {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'trader@example.com', password: 'Passw0rd!' }),
    });
    expect(signIn.status).toBe(200);
    expect(document.cookie).not.toContain('_session');

    const verifier = randomUrlSafe();
    const state = randomUrlSafe(16);
    const url = new URL('/identity/connect/authorize', location.origin);
    url.search = new URLSearchParams({
      client_id: 'spa',
      response_type: 'code',
      redirect_uri: `${location.origin}/identity/sign-in-done`,
      code_challenge: await s256(verifier),
      code_challenge_method: 'S256',
      scope: 'openid offline_access FrontOffice',
      state,
      nonce: randomUrlSafe(16),
    }).toString();
    const authorize = await fetch(url, { credentials: 'include' });
    const done = new URL(authorize.url);
    expect(done.origin).toBe(location.origin);
    expect(done.pathname).toBe('/identity/sign-in-done');
    expect(done.searchParams.get('state')).toBe(state);
    expect(done.searchParams.get('code')).toBeTruthy();
    expect(done.searchParams.get('iss')).toBe(`${location.origin}/identity`);
  });

  it('ends at /identity/unauthorized when the request carries no cookie', async () => {
    const url = new URL('/identity/connect/authorize', location.origin);
    url.search = new URLSearchParams({
      client_id: 'spa',
      response_type: 'code',
      redirect_uri: `${location.origin}/identity/sign-in-done`,
      code_challenge: await s256(randomUrlSafe()),
      code_challenge_method: 'S256',
      scope: 'openid offline_access FrontOffice',
      state: 's',
      nonce: 'n',
    }).toString();
    const authorize = await fetch(url, { credentials: 'omit' });
    expect(new URL(authorize.url).pathname).toBe('/identity/unauthorized');
  });

  it('proxies the resource API, which refuses a request without a token', async () => {
    const response = await fetch('/api/frontoffice/v1/account');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });
});
