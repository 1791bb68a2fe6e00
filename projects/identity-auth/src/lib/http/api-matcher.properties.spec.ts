// Security property: for arbitrary request URLs — user info, ports, case,
// IDN and homoglyph hosts, IPv4 and IPv6 spellings, dot segments, percent-encoding,
// scheme-relative `//host` and backslashes — the access token goes only to an
// allow-listed origin, never to the identity endpoints. The oracle is the browser's
// own URL parser: the origin it resolves is the one fetch and XHR would connect to.
import fc from 'fast-check';

import { compileApiMatcher } from './api-matcher';

const DOCUMENT_BASE = 'https://app.example.com/trade/';
const APIS = [
  'https://api.example.com/v1',
  'http://[::1]:9000',
  'http://127.0.0.1:8080/api',
  '/api/',
  'https://xn--bcher-kva.example/books',
];
const ALLOWED_ORIGINS = new Set([
  'https://api.example.com',
  'http://[::1]:9000',
  'http://127.0.0.1:8080',
  'https://app.example.com',
  'https://xn--bcher-kva.example',
]);
const IDENTITY_BASE = 'https://app.example.com';
const isProtected = compileApiMatcher({ apis: APIS, identityBaseUrl: IDENTITY_BASE }, DOCUMENT_BASE);

const scheme = fc.constantFrom(
  'https://',
  'http://',
  'HTTPS://',
  'HtTp://',
  '//',
  '\\\\',
  '/\\',
  'ws://',
  'ftp://',
  '',
);
const userinfo = fc.constantFrom(
  '',
  'user@',
  'user:pw@',
  'api.example.com@',
  ':@',
  '%40@',
  'app.example.com:443@',
  'a%3Ab@',
);
const host = fc.constantFrom(
  'api.example.com',
  'API.Example.COM',
  'api.example.com.',
  'api.example.com.evil.test',
  'evil.test',
  'apiexample.com',
  'api%2Eexample.com',
  'ａｐｉ.example.com', // full-width: the parser folds it to ASCII
  'аpi.example.com', // Cyrillic а: another host
  'bücher.example',
  'xn--bcher-kva.example',
  'BÜCHER.example',
  'buecher.example',
  '[::1]',
  '[0:0:0:0:0:0:0:1]',
  '[::ffff:127.0.0.1]',
  '[::2]',
  '127.0.0.1',
  '2130706433',
  '0x7f.0.0.1',
  '127.1',
  '127.0.0.2',
  'app.example.com',
  'localhost',
);
const port = fc.constantFrom('', ':443', ':80', ':8080', ':9000', ':08080', ':8443', ':0');
const segment = fc.constantFrom(
  'v1',
  'V1',
  'api',
  'identity',
  'IDENTITY',
  'connect',
  'token',
  'books',
  '..',
  '.',
  '%2e%2e',
  '%2E',
  '%2F',
  '%76%31',
  '%61pi',
  'v10',
  '',
  'x;y',
  '@evil.test',
);
const path = fc.array(segment, { maxLength: 5 }).map((parts) => (parts.length ? `/${parts.join('/')}` : ''));
const suffix = fc.constantFrom('', '?q=1', '#frag', '?next=https://api.example.com/v1', '#@evil.test');

/** Absolute and scheme-relative URLs assembled from hostile pieces, and plain paths on the document's origin. */
const requestUrl = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(scheme, userinfo, host, port, path, suffix).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.tuple(path, suffix).map(([p, s]) => `${p || '/'}${s}`) },
  {
    weight: 1,
    arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true, validSchemes: ['http', 'https'] }),
  },
);

describe('security property: a token only to allow-listed origins (fast-check)', () => {
  it('for arbitrary URLs, a token goes only to an allow-listed http(s) origin, without user info, never to /identity', () => {
    fc.assert(
      fc.property(requestUrl, (url) => {
        if (!isProtected(url)) return true;
        const target = new URL(url, DOCUMENT_BASE);
        return (
          ALLOWED_ORIGINS.has(target.origin) &&
          target.username === '' &&
          target.password === '' &&
          !(target.origin === IDENTITY_BASE && /^\/identity(\/|$)/i.test(target.pathname))
        );
      }),
      { numRuns: 20_000 },
    );
  });

  it('spellings the parser folds to an allow-listed origin (case, default port, IDN, IPv6, IPv4 forms) still get it', () => {
    const spelling = fc.constantFrom(
      'https://api.example.com/v1',
      'HTTPS://API.EXAMPLE.COM:443/v1',
      'https://ａｐｉ.example.com/v1',
      'http://[0:0:0:0:0:0:0:1]:9000',
      'http://[::1]:9000',
      'http://2130706433:8080/api',
      'http://127.1:8080/api',
      'https://bücher.example/books',
      'https://BÜCHER.example/books',
      '/api',
    );
    const tail = fc.array(fc.stringMatching(/^[A-Za-z0-9_~-]{1,8}$/), { maxLength: 4 });
    fc.assert(
      fc.property(spelling, tail, (prefix, parts) => isProtected([prefix, ...parts].join('/'))),
      { numRuns: 2_000 },
    );
  });

  it('a Cyrillic homoglyph or a look-alike suffix of an allow-listed host never gets it', () => {
    for (const url of [
      'https://аpi.example.com/v1/x',
      'https://api.example.com.evil.test/v1/x',
      'https://api.example.com@evil.test/v1/x',
      'https://evil.test/https://api.example.com/v1',
      '//evil.test/v1',
      '\\\\evil.test/v1',
      'https://api.example.com:8443/v1',
    ]) {
      expect(isProtected(url)).withContext(url).toBeFalse();
    }
  });
});
