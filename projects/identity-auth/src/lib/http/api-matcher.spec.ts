import fc from 'fast-check';

import { apiMatcherFor, type ApiMatcherSettings, compileApiMatcher } from './api-matcher';

const DOCUMENT_BASE = 'https://example.com/app/';
const settings: ApiMatcherSettings = {
  apis: [
    'https://api.example.com',
    'https://bo.example.com:8443/v1/',
    '/api/',
    'http://[::1]:9000/x',
    'http://127.0.0.1:8080',
  ],
  identityBaseUrl: 'https://example.com',
};
const isProtected = compileApiMatcher(settings, DOCUMENT_BASE);

describe('compileApiMatcher', () => {
  const table: Array<[string, boolean, string]> = [
    ['https://api.example.com/orders', true, 'an allow-listed origin'],
    ['https://api.example.com', true, 'the origin itself'],
    ['https://API.Example.COM/orders', true, 'host case'],
    ['HTTPS://api.example.com/orders', true, 'scheme case'],
    ['https://api.example.com:443/orders', true, 'the default port written out'],
    [' https://api.example.com/orders', true, 'leading white space, stripped by every URL parser'],
    ['https://api%2Eexample.com/orders', true, 'a percent-escape in the host'],
    ['//api.example.com/orders', true, 'a scheme-relative URL on an https: page'],
    ['https://api.example.com:8443/orders', false, 'another port'],
    ['http://api.example.com/orders', false, 'the wrong scheme'],
    ['wss://api.example.com/orders', false, 'a WebSocket scheme'],
    ['https://api.example.com.evil.test/orders', false, 'an allow-listed name as a subdomain of another host'],
    ['https://api.example.com./orders', false, 'a trailing dot (another origin to the browser)'],
    ['https://evilapi.example.com/orders', false, 'a longer host'],
    ['https://evil.test/https://api.example.com/', false, 'an allow-listed URL in the path'],
    ['https://evil.test/?u=https://api.example.com/', false, 'an allow-listed URL in the query'],
    ['https://api.example.com@evil.test/', false, 'an allow-listed host as user info'],
    ['https://user:secret@api.example.com/orders', false, 'user info on an allow-listed host'],
    ['//evil.test/api/orders', false, 'a scheme-relative URL to another host'],
    ['/\\evil.test/api/orders', false, 'a backslash the URL parser reads as a slash'],
    ['\\\\evil.test/api/orders', false, 'two backslashes'],
    ['/api/orders', true, 'a path under a relative entry'],
    ['/api', true, 'the relative entry itself'],
    ['https://example.com/api/orders', true, 'the document origin written out'],
    ['http://example.com/api/orders', false, 'the document host with another scheme'],
    ['/apix/orders', false, 'a prefix that is not on a segment boundary'],
    ['/API/orders', false, 'another path case (URL paths are case-sensitive)'],
    ['api/orders', false, 'a path relative to the base URI (/app/api/orders)'],
    ['../api/orders', true, 'dot segments resolved against the base URI'],
    ['/app/../api/orders', true, 'dot segments in the path'],
    ['/api/../admin', false, 'dot segments leaving the prefix'],
    ['/api/%2e%2e/admin', false, 'encoded dot segments leaving the prefix'],
    ['/%61pi/orders', true, 'a percent-escaped unreserved character'],
    ['/api%2Forders', false, 'an encoded slash (one segment, not below /api)'],
    ['/api%2forders', false, 'an encoded slash in lower case'],
    ['https://bo.example.com:8443/v1', true, 'a path prefix on an origin with a port'],
    ['https://bo.example.com:8443/v1/users', true, 'below that prefix'],
    ['https://bo.example.com:8443/v10', false, 'a longer segment'],
    ['https://bo.example.com:8443/V1/users', false, 'another path case'],
    ['https://bo.example.com/v1/users', false, 'the same host on the default port'],
    ['http://[0:0:0:0:0:0:0:1]:9000/x/y', true, 'an IPv6 literal written out in full'],
    ['http://[::1]:9000/xy', false, 'an IPv6 origin outside its prefix'],
    ['http://[::2]:9000/x', false, 'another IPv6 address'],
    ['http://2130706433:8080/orders', true, 'an IPv4 address as one number'],
    ['http://0x7f.1:8080/orders', true, 'an IPv4 address in hex'],
    ['http://127.0.0.2:8080/orders', false, 'another IPv4 address'],
    ['https://example.com/identity/connect/token', false, 'an identity endpoint'],
    ['data:text/plain,https://api.example.com', false, 'a data: URL'],
    ['javascript:fetch("https://api.example.com")', false, 'a javascript: URL'],
    ['', false, 'the empty URL (the base URI itself)'],
    ['http://[::1', false, 'a URL that does not parse'],
  ];
  for (const [url, expected, label] of table) {
    it(`${expected ? 'gives' : 'refuses'} a token to ${label}: ${JSON.stringify(url)}`, () => {
      expect(isProtected(url)).toBe(expected);
    });
  }

  describe('the identity endpoints', () => {
    const everything = compileApiMatcher({ apis: ['/'], identityBaseUrl: 'https://example.com' }, DOCUMENT_BASE);
    const cases: Array<[string, boolean]> = [
      ['/orders', true],
      ['/identity', false],
      ['/identity/connect/token', false],
      ['/identity/sign-out', false],
      ['/IDENTITY/Connect/Token', false],
      ['/%69dentity/connect/token', false],
      ['/api/../identity/sign-in', false],
      ['/identityx', true],
      ['https://other.example.com/identity/connect/token', false],
    ];
    for (const [url, expected] of cases) {
      it(`${expected ? 'covers' : 'never covers'} ${url} when apis is ['/']`, () => {
        expect(everything(url)).toBe(expected);
      });
    }

    it('are excluded under a base URL with a path', () => {
      const match = compileApiMatcher(
        { apis: ['https://example.com/'], identityBaseUrl: 'https://example.com/b2t/' },
        DOCUMENT_BASE,
      );
      expect(match('https://example.com/b2t/identity/connect/token')).toBeFalse();
      expect(match('https://example.com/identity/connect/token')).toBeTrue();
    });
  });

  it('gives no token to anything without apis', () => {
    const none = compileApiMatcher({ apis: [], identityBaseUrl: 'https://example.com' }, DOCUMENT_BASE);
    expect(none('/api/orders')).toBeFalse();
    expect(none('https://example.com/')).toBeFalse();
  });

  it('without a document base URI (server) keeps absolute entries and drops relative ones', () => {
    const server = compileApiMatcher(settings, undefined);
    expect(server('https://api.example.com/orders')).toBeTrue();
    expect(server('/api/orders')).toBeFalse();
    expect(server('https://example.com/api/orders')).toBeFalse();
  });

  const badEntries: Array<[unknown, RegExp]> = [
    ['', /apis\[0\] must be a non-empty string/],
    [42, /apis\[0\] must be a non-empty string/],
    ['ftp://api.example.com', /apis\[0\] must be an http: or https: URL/],
    ['https://user:pw@api.example.com', /apis\[0\] must not contain a user name or password/],
    ['https://api.example.com/v1?x=1', /apis\[0\] must be an origin with an optional path prefix/],
    ['https://api.example.com/#top', /apis\[0\] must be an origin with an optional path prefix/],
    ['api', /apis\[0\] must be an absolute URL .* or a path such as "\/api"/],
    ['//api.example.com', /apis\[0\] must be an absolute URL/],
    ['/\\api.example.com', /apis\[0\] must be an absolute URL/],
  ];
  for (const [entry, message] of badEntries) {
    it(`refuses the entry ${JSON.stringify(entry)} with a TypeError naming it`, () => {
      const apis = [entry] as unknown as string[];
      expect(() => compileApiMatcher({ apis, identityBaseUrl: 'https://example.com' }, DOCUMENT_BASE)).toThrowMatching(
        (err) =>
          err instanceof TypeError && err.message.startsWith('b2trader.identity.auth: ') && message.test(err.message),
      );
    });
  }

  it('refuses apis that is not an array', () => {
    const apis = 'https://api.example.com' as unknown as string[];
    expect(() => compileApiMatcher({ apis, identityBaseUrl: 'https://example.com' }, DOCUMENT_BASE)).toThrowError(
      TypeError,
      /"apis" must be an array/,
    );
  });

  it('apiMatcherFor compiles once per apis array and identity base URL', () => {
    const apis = ['/api'];
    const first = apiMatcherFor({ apis, identityBaseUrl: 'https://example.com' }, DOCUMENT_BASE);
    expect(apiMatcherFor({ apis, identityBaseUrl: 'https://example.com' }, DOCUMENT_BASE)).toBe(first);
    expect(apiMatcherFor({ apis, identityBaseUrl: 'https://other.example' }, DOCUMENT_BASE)).not.toBe(first);
    expect(apiMatcherFor({ apis: ['/api'], identityBaseUrl: 'https://example.com' }, DOCUMENT_BASE)).not.toBe(first);
  });

  it('answers a URL it has seen the same way again, also after more distinct URLs than it remembers', () => {
    const matcher = compileApiMatcher(settings, DOCUMENT_BASE);
    const urls = Array.from({ length: 1_200 }, (_, i) =>
      i % 2 ? `https://api.example.com/orders/${i}` : `https://api.example.com.evil.test/orders/${i}`,
    );
    const first = urls.map((url) => matcher(url));
    const again = urls.map((url) => matcher(url));
    expect(again).toEqual(first);
    expect(first.filter(Boolean).length).toBe(600);
    expect(matcher('https://api.example.com.evil.test/orders/1')).toBeFalse();
  });
});

describe('compileApiMatcher (fast-check properties)', () => {
  // The oracle: the origins a browser would connect to, from the platform's URL parser.
  const allowedOrigins = new Set(['https://api.example.com', 'https://bo.example.com:8443', 'https://example.com']);
  allowedOrigins.add('http://[::1]:9000').add('http://127.0.0.1:8080');

  const piece = fc.constantFrom(
    'https://',
    'http://',
    'HTTPS://',
    'wss://',
    '//',
    '/',
    '\\',
    '\\\\',
    'api.example.com',
    'API.example.com',
    'bo.example.com',
    'example.com',
    'evil.test',
    '.evil.test',
    'evil',
    '@',
    ':',
    ':443',
    ':8443',
    ':80',
    '[::1]',
    '127.0.0.1',
    '%2E',
    '%40',
    '%2F',
    '%2e%2e',
    '..',
    '.',
    'api',
    'v1',
    'identity',
    '?',
    '#',
    'user:pw',
    ' ',
    '\t',
  );
  const craftedUrl = fc.array(piece, { minLength: 1, maxLength: 10 }).map((parts) => parts.join(''));
  const anyUrl = fc.oneof(craftedUrl, fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string());

  it('a token only ever goes to an allow-listed origin, never with user info, never to the identity endpoints', () => {
    fc.assert(
      fc.property(anyUrl, (url) => {
        if (!isProtected(url)) return true;
        const resolved = new URL(url, DOCUMENT_BASE);
        return (
          allowedOrigins.has(resolved.origin) &&
          resolved.username === '' &&
          resolved.password === '' &&
          !(resolved.origin === 'https://example.com' && /^\/identity(\/|$)/i.test(resolved.pathname))
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('every plain path below an allow-listed prefix is covered', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_~-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.constantFrom('https://api.example.com', 'https://bo.example.com:8443/v1', '/api', 'http://[::1]:9000/x'),
        fc.array(segment, { maxLength: 5 }),
        (prefix, segments) => isProtected([prefix, ...segments].join('/')),
      ),
      { numRuns: 1000 },
    );
  });
});
