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
    [
      'an api that is neither a path nor a URL',
      { url: '/', clientId: 'spa', apis: ['api'] },
      browser,
      '"apis" entry "api"',
    ],
    [
      'a protocol-relative api',
      { url: '/', clientId: 'spa', apis: ['//evil.test/'] },
      browser,
      '"apis" entry "//evil.test/"',
    ],
    ['an unknown storage', { url: '/', clientId: 'spa', storage: 'disk' as never }, browser, '"storage" must be'],
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
