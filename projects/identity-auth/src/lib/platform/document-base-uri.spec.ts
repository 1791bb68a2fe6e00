import { documentBaseUri, resolveBaseUri } from './document-base-uri';

describe('resolveBaseUri', () => {
  it('resolves <base href> against the document URL', () => {
    expect(resolveBaseUri('http://127.0.0.1:4000/desk?tab=2#x', '/')).toBe('http://127.0.0.1:4000/');
    expect(resolveBaseUri('https://trade.example/app/orders/1', 'shell/')).toBe(
      'https://trade.example/app/orders/shell/',
    );
    expect(resolveBaseUri('https://trade.example/app/orders', '/app/')).toBe('https://trade.example/app/');
  });

  it('is the document URL without a <base href>', () => {
    expect(resolveBaseUri('http://localhost/desk', undefined)).toBe('http://localhost/desk');
    expect(resolveBaseUri('http://localhost/desk', null)).toBe('http://localhost/desk');
  });

  it('takes an absolute <base href> as is, whatever the document URL', () => {
    expect(resolveBaseUri('/', 'https://trade.example/app/')).toBe('https://trade.example/app/');
    expect(resolveBaseUri('about:blank', 'https://trade.example/')).toBe('https://trade.example/');
  });

  it('ignores an unusable <base href>, as browsers do', () => {
    expect(resolveBaseUri('http://localhost/desk', 'http://[')).toBe('http://localhost/desk');
    expect(resolveBaseUri('http://localhost/desk', 'javascript:void 0')).toBe('http://localhost/desk');
  });

  it('is undefined when nothing gives an http(s) URL: a path-only url is then refused, not guessed', () => {
    expect(resolveBaseUri('/', '/')).toBeUndefined();
    expect(resolveBaseUri('about:blank', '/app/')).toBeUndefined();
    expect(resolveBaseUri(undefined, undefined)).toBeUndefined();
  });
});

describe('documentBaseUri', () => {
  /** A document as Angular's server DOM (domino) has it: `baseURI` is not implemented. */
  function serverDocument(url: string, baseHref: string | null): Document {
    return {
      URL: url,
      get baseURI(): string {
        throw new Error('NotYetImplemented');
      },
      querySelector: (selector: string) =>
        selector === 'base[href]' && baseHref !== null ? { getAttribute: () => baseHref } : null,
    } as unknown as Document;
  }

  it("is the browser's own baseURI where there is one", () => {
    expect(documentBaseUri(document)).toBe(document.baseURI);
  });

  it("works it out where the DOM throws, from the request's URL and <base href>", () => {
    expect(documentBaseUri(serverDocument('http://127.0.0.1:4000/desk', '/'))).toBe('http://127.0.0.1:4000/');
    expect(documentBaseUri(serverDocument('http://127.0.0.1:4000/desk', null))).toBe('http://127.0.0.1:4000/desk');
  });

  it('is undefined without a document', () => {
    expect(documentBaseUri(null)).toBeUndefined();
    expect(documentBaseUri(undefined)).toBeUndefined();
  });
});
