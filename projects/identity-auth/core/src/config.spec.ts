import { createIdentityClient, internalsOf, MAX_TIMEOUT_MS } from './config';

describe('createIdentityClient', () => {
  it('derives issuer, endpoints, scope and redirect URI from the base URL', () => {
    const client = createIdentityClient({
      url: 'https://b2trader.example/',
      clientId: 'spa_admin',
      clientSecret: 's3cret',
    });
    expect(client.issuer).toBe('https://b2trader.example/identity');
    expect(internalsOf(client).as.token_endpoint).toBe('https://b2trader.example/identity/connect/token');
    expect(internalsOf(client).as.authorization_endpoint).toBe('https://b2trader.example/identity/connect/authorize');
    expect(client.redirectUri).toBe('https://b2trader.example/identity/sign-in-done');
    expect(client.scope).toBe('openid offline_access FrontOffice BackOffice');
    expect(client.hasSecret).toBeTrue();
    expect(client.allowInsecureRequests).toBeFalse();
  });

  it('keeps the secret and oauth4webapi internals off the client object', () => {
    const client = createIdentityClient({
      url: 'https://b2trader.example',
      clientId: 'spa_admin',
      clientSecret: 'visible-nowhere',
    });
    expect(JSON.stringify(client)).not.toContain('visible-nowhere');
    expect(Object.keys(client)).not.toContain('secret');
    expect(Object.keys(client)).not.toContain('as');
    expect(Reflect.ownKeys(client).map(String)).toEqual(Object.keys(client));
    expect(internalsOf(client).secret).toBe('visible-nowhere');
  });

  it('refuses an object it did not make, naming the argument', () => {
    const client = createIdentityClient({ url: 'https://b2trader.example', clientId: 'spa' });
    expect(() => internalsOf({ ...client })).toThrowError(TypeError, /"client" must be made by createIdentityClient/);
  });

  it('refuses a timeoutMs a timer cannot hold (2^31 ms or more fires at once), and accepts the largest one', () => {
    for (const timeoutMs of [2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER, 0.5, 0, -1, Number.NaN, Infinity]) {
      expect(() => createIdentityClient({ url: 'https://x', clientId: 'spa', timeoutMs }))
        .withContext(String(timeoutMs))
        .toThrowError(TypeError, /"timeoutMs" must be a number of milliseconds from 1 to 2147483647/);
    }
    expect(createIdentityClient({ url: 'https://x', clientId: 'spa', timeoutMs: MAX_TIMEOUT_MS }).timeoutMs).toBe(
      MAX_TIMEOUT_MS,
    );
  });

  it('resolves a path against the page origin in a browser', () => {
    const client = createIdentityClient({ url: '', clientId: 'spa' });
    expect(client.issuer).toBe(`${location.origin}/identity`);
    expect(client.allowInsecureRequests).toBe(location.protocol === 'http:');
  });

  it('refuses plain http on a non-loopback host unless told', () => {
    expect(() => createIdentityClient({ url: 'http://b2trader.example', clientId: 'spa' })).toThrowError(
      TypeError,
      /https/,
    );
    expect(
      createIdentityClient({ url: 'http://b2trader.example', clientId: 'spa', allowInsecureRequests: true })
        .allowInsecureRequests,
    ).toBeTrue();
  });

  it('names the option at fault', () => {
    expect(() => createIdentityClient({ url: 'ftp://x', clientId: 'spa' })).toThrowError(TypeError, /"url"/);
    expect(() => createIdentityClient({ url: 'https://x', clientId: '' })).toThrowError(TypeError, /"clientId"/);
    expect(() => createIdentityClient({ url: 'https://x', clientId: 'spa', clientSecret: '' })).toThrowError(
      TypeError,
      /"clientSecret"/,
    );
    expect(() => createIdentityClient({ url: 'https://x', clientId: 'spa', timeoutMs: -1 })).toThrowError(
      TypeError,
      /"timeoutMs"/,
    );
  });
});
