import { createIdentityClient } from './config';

describe('createIdentityClient', () => {
  it('derives issuer, endpoints, scope and redirect URI from the base URL', () => {
    const client = createIdentityClient({
      url: 'https://b2trader.example/',
      clientId: 'spa_admin',
      clientSecret: 's3cret',
    });
    expect(client.issuer).toBe('https://b2trader.example/identity');
    expect(client.as.token_endpoint).toBe('https://b2trader.example/identity/connect/token');
    expect(client.as.authorization_endpoint).toBe('https://b2trader.example/identity/connect/authorize');
    expect(client.redirectUri).toBe('https://b2trader.example/identity/sign-in-done');
    expect(client.scope).toBe('openid offline_access FrontOffice BackOffice');
    expect(client.hasSecret).toBeTrue();
    expect(client.allowInsecureRequests).toBeFalse();
  });

  it('keeps the secret out of JSON and enumeration', () => {
    const client = createIdentityClient({
      url: 'https://b2trader.example',
      clientId: 'spa_admin',
      clientSecret: 'visible-nowhere',
    });
    expect(JSON.stringify(client)).not.toContain('visible-nowhere');
    expect(client.secret()).toBe('visible-nowhere');
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
