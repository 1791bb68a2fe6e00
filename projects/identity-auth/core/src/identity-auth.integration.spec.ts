// Integration (real Chromium, real emulator through the Karma proxy, same origin as
// production): the protocol client with the browser's own cookies and redirects.
import { IdentityAuth } from './identity-auth';
import { IdentityAuthError } from './errors';

const b2TraderApiUrl = location.origin;

async function addFault(fault: object): Promise<void> {
  const response = await fetch('/__faults', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  expect(response.status)
    .withContext(await response.clone().text())
    .toBe(201);
}

async function apiStatus(path: string, accessToken: string): Promise<number> {
  return (await fetch(path, { headers: { authorization: `Bearer ${accessToken}` } })).status;
}

async function rejection(promise: Promise<unknown>): Promise<IdentityAuthError> {
  try {
    await promise;
  } catch (err) {
    expect(err instanceof IdentityAuthError)
      .withContext(String(err))
      .toBeTrue();
    return err as IdentityAuthError;
  }
  throw new Error('expected a rejection');
}

describe('integration: IdentityAuth in the browser against the emulator', () => {
  afterEach(async () => {
    await fetch('/__faults', { method: 'DELETE' });
  });

  it("runs the 1.2 README's browser example for spa as written", async () => {
    const identityAuth = new IdentityAuth(b2TraderApiUrl, 'spa');

    const signInResponse = await identityAuth.signIn('trader@example.com', 'Passw0rd!');
    const authorizeCode = await identityAuth.authorize();
    const tokenData = await identityAuth.retrieveToken(authorizeCode);

    expect(signInResponse.secondFactorRequired).toBeFalse();
    expect(signInResponse.cookies).toEqual([]); // the browser keeps the HttpOnly cookie
    expect(await apiStatus('/api/frontoffice/v1/account', tokenData.accessToken)).toBe(200);
  });

  it("runs the 1.2 README's browser example for spa_admin as written", async () => {
    const identityAuth = new IdentityAuth(b2TraderApiUrl, 'spa_admin', 'client_secret_admin');

    const signInResponse = await identityAuth.signIn('trader@example.com', 'Passw0rd!');
    const authorizeCode = await identityAuth.authorize();
    const tokenData = await identityAuth.retrieveToken(authorizeCode);

    expect(signInResponse.account.email).toBe('trader@example.com');
    expect(await apiStatus('/api/backoffice/v1/users', tokenData.accessToken)).toBe(200);
  });

  it('refreshes with rotation, then signs out: the refresh token is dead and the session cookie ended', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    await auth.signIn('trader@example.com', 'Passw0rd!');
    const tokens = await auth.retrieveToken(await auth.authorize());
    const refreshed = await auth.refreshToken(tokens.refreshToken as string);
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(refreshed.idTokenClaims?.sub).toBe(tokens.idTokenClaims?.sub);
    expect(refreshed.expiresAt).toBe(refreshed.receivedAt + 30_000);

    await auth.signOut(refreshed.accessToken, refreshed.refreshToken);
    expect((await rejection(auth.refreshToken(refreshed.refreshToken as string))).kind).toBe('invalid_grant');
    expect((await rejection(auth.authorize())).kind).toBe('login_required');
  });

  it('a wrong password is invalid_credentials with the server code', async () => {
    const err = await rejection(new IdentityAuth(b2TraderApiUrl, 'spa').signIn('trader@example.com', 'Wrong-pass-1'));
    expect(err.kind).toBe('invalid_credentials');
    expect(err.code).toBe('SignInUnsuccessful');
    expect(err.message).not.toContain('Wrong-pass-1');
  });

  it('a forged state on the followed redirect is state_mismatch', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    await auth.signIn('trader@example.com', 'Passw0rd!');
    await addFault({ path: '/identity/connect/authorize', mode: 'mutate-redirect', set: { state: 'forged' } });
    expect((await rejection(auth.authorize())).kind).toBe('state_mismatch');
  });

  it('an HTML 502 on refresh is a transient server error and the refresh token survives', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    await auth.signIn('trader@example.com', 'Passw0rd!');
    const tokens = await auth.retrieveToken(await auth.authorize());
    await addFault({ path: '/identity/connect/token', mode: 'html', status: 502 });
    const err = await rejection(auth.refreshToken(tokens.refreshToken as string));
    expect(err.kind).toBe('server');
    expect(err.transient).toBeTrue();
    expect((await auth.refreshToken(tokens.refreshToken as string)).accessToken).toBeTruthy();
  });

  it('a redirect hop to another origin that fails (CORS, refused) is a network error, not a credentials error', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    await auth.signIn('trader@example.com', 'Passw0rd!');
    await addFault({ path: '/identity/connect/authorize', mode: 'mutate-redirect', origin: 'http://127.0.0.1:9' });
    const err = await rejection(auth.authorize());
    expect(err.kind).toBe('network');
    // Chromium says only "Failed to fetch": the message names the origin and, in a browser, CORS
    expect(err.message).toBe(
      `b2trader.identity.auth: authorize failed: could not reach the identity service at ${location.origin}. The browser is offline, the service is down, or it does not allow this page's origin (CORS).`,
    );
  });

  it('in the browser too, a sign-in that asked for a second factor makes authorize say it is pending', async () => {
    const auth = new IdentityAuth(b2TraderApiUrl, 'spa');
    // the browser shares its cookies across specs: end any identity session an earlier one left
    await auth.signIn('trader@example.com', 'Passw0rd!');
    await auth.signOut((await auth.retrieveToken(await auth.authorize())).accessToken);
    expect((await auth.signIn('2fa@example.com', 'Passw0rd!')).secondFactorRequired).toBeTrue();
    const err = await rejection(auth.authorize());
    expect(err.kind).toBe('login_required');
    expect(err.code).toBe('second_factor_pending');
  });
});
