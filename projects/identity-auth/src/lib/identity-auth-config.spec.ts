import { type ConfigContext, type IdentityAuthConfig, resolveIdentityAuthConfig } from './identity-auth-config';

const browser: ConfigContext = {
  isBrowser: true,
  baseUri: 'https://app.example.com/trade/',
  hasTokenStoreFeature: false,
};
const server: ConfigContext = { isBrowser: false, baseUri: undefined, hasTokenStoreFeature: false };

function messageOf(config: Partial<IdentityAuthConfig>, context = browser): string {
  try {
    resolveIdentityAuthConfig(config as IdentityAuthConfig, context);
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError);
    return (err as Error).message;
  }
  return 'no error';
}

describe('resolveIdentityAuthConfig', () => {
  it('resolves a path against the document base URI', () => {
    const resolved = resolveIdentityAuthConfig({ url: '/', clientId: 'spa' }, browser);
    expect(resolved.client.baseUrl).toBe('https://app.example.com');
    expect(resolved.storage).toBe('memory');
    expect(resolved.refresh.ratio).toBe(0.75);
    expect(resolved.waitForRestore).toBeFalse();
  });

  it('expects the issuer <url>/identity, or the one given for a service that names itself elsewhere', () => {
    expect(resolveIdentityAuthConfig({ url: '/', clientId: 'spa' }, browser).client.issuer).toBe(
      'https://app.example.com/identity',
    );
    const issuer = 'https://b2trader-test.example.com/identity';
    const resolved = resolveIdentityAuthConfig({ url: '/', clientId: 'spa', issuer }, browser);
    expect(resolved.client.issuer).toBe(issuer);
    expect(resolved.client.baseUrl).toBe('https://app.example.com');
    expect(messageOf({ url: '/', clientId: 'spa', issuer: '/identity' })).toContain('"issuer" must be an absolute');
  });

  it('keeps an absolute URL and the options', () => {
    const resolved = resolveIdentityAuthConfig(
      {
        url: 'https://id.example.com/b2',
        clientId: 'spa_admin',
        clientSecret: 's',
        apis: ['/api/'],
        storage: 'local',
        waitForRestore: true,
      },
      browser,
    );
    expect(resolved.client.baseUrl).toBe('https://id.example.com/b2');
    expect(resolved.apis).toEqual(['/api/']);
    expect(resolved.storage).toBe('local');
    expect(resolved.waitForRestore).toBeTrue();
  });

  const refused: [string, Partial<IdentityAuthConfig>, ConfigContext, string][] = [
    [
      'spa_admin without a secret',
      { url: '/', clientId: 'spa_admin' },
      browser,
      '"clientId" spa_admin needs "clientSecret"',
    ],
    ['core_ib in a browser', { url: '/', clientId: 'core_ib', clientSecret: 's' }, browser, 'server platform only'],
    [
      'lk on the server without a secret',
      { url: 'https://x.example', clientId: 'lk' },
      server,
      '"clientId" lk needs "clientSecret"',
    ],
    ['an unknown client', { url: '/', clientId: 'web' }, browser, '"clientId" must be one of spa, spa_admin'],
    ['a path without a document', { url: '/', clientId: 'spa' }, server, '"url" "/" is a path'],
    ['plain http off loopback', { url: 'http://example.com', clientId: 'spa' }, browser, '"url" uses http:'],
    ['an unknown storage', { url: '/', clientId: 'spa', storage: 'disk' as never }, browser, '"storage" must be'],
    [
      'a custom store without clear()',
      { url: '/', clientId: 'spa', storage: { load: () => null, save: () => undefined } as never },
      browser,
      '"storage" as an object must implement IdentityTokenStore',
    ],
    ['a ratio of 1', { url: '/', clientId: 'spa', refresh: { ratio: 1 } }, browser, '"refresh.ratio"'],
    ['a zero timeout', { url: '/', clientId: 'spa', timeoutMs: 0 }, browser, '"timeoutMs"'],
  ];
  for (const [name, config, context, expected] of refused) {
    it(`refuses ${name}, naming the option`, () => {
      const message = messageOf(config, context);
      expect(message).toContain('b2trader.identity.auth:');
      expect(message).toContain(expected);
    });
  }

  // One set of rules: whatever the interceptor's matcher refuses, start-up refuses, naming the entry.
  const refusedApis: [string, unknown, number][] = [
    ['neither a path nor a URL', 'api', 0],
    ['protocol-relative', '//evil.test/', 0],
    ['a backslash host', '/\\evil.test/', 1],
    ['a query', '/api?x=1', 1],
    ['an empty query', 'https://api.example.com/v1?', 1],
    ['a fragment', 'https://api.example.com/#v1', 1],
    ['user info', 'https://user:pw@api.example.com/', 1],
    ['another scheme', 'ftp://api.example.com/', 1],
    ['an empty string', ' ', 1],
    ['not a string', 42, 1],
  ];
  for (const [name, entry, index] of refusedApis) {
    it(`refuses an apis entry with ${name}, naming apis[${index}], at start-up`, () => {
      const apis = index === 0 ? [entry] : ['/ok/', entry];
      const message = messageOf({ url: '/', clientId: 'spa', apis: apis as string[] });
      expect(message).toContain(`b2trader.identity.auth: apis[${index}] must`);
      expect(message).not.toContain('pw@');
    });
  }

  it('refuses apis that are not an array', () => {
    expect(messageOf({ url: '/', clientId: 'spa', apis: '/api/' as never })).toContain('"apis" must be an array');
  });

  it('accepts what the interceptor protects: paths, origins, origins with a prefix, IPv6 literals', () => {
    const apis = ['/api/', 'https://API.example.com:443', 'http://127.0.0.1:8080/v1/', 'https://[::1]/x'];
    expect(resolveIdentityAuthConfig({ url: '/', clientId: 'spa', apis }, browser).apis).toEqual(apis);
  });

  it('accepts a path entry on the server platform, where it protects nothing', () => {
    const config = { url: 'https://x.example', clientId: 'spa', apis: ['/api/'] };
    expect(resolveIdentityAuthConfig(config, server).apis).toEqual(['/api/']);
  });

  it('refuses config storage together with withTokenStore(), naming both', () => {
    const message = messageOf(
      { url: '/', clientId: 'spa', storage: 'session' },
      { ...browser, hasTokenStoreFeature: true },
    );
    expect(message).toContain('"storage"');
    expect(message).toContain('withTokenStore()');
  });

  it('never puts the secret in a message', () => {
    expect(messageOf({ url: 'ftp://x', clientId: 'spa_admin', clientSecret: 'hunter2-secret' })).not.toContain(
      'hunter2',
    );
  });
});
