/**
 * The document's base URI, which resolves a path-only `url` and the `apis` entries.
 * Browsers give it as `Node.baseURI`; Angular's server DOM (domino) throws
 * `NotYetImplemented` there, so it is worked out as HTML defines the document base
 * URL: the first `<base href>` resolved against the document's URL.
 */

/** Document URLs that cannot resolve a relative reference (`about:blank`, a path, none). */
function hierarchicalUrl(url: string | null | undefined): URL | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined; // a path (a server document rendered without a request URL)
  }
}

/**
 * The base URI of a document at `documentUrl` whose first `<base>` has `baseHref`:
 * the `href` resolved against the document's URL, else the document's URL. An absolute
 * `href` is used as is. Undefined when neither gives an http(s) URL: a path-only `url`
 * is then refused with a message that says why, rather than resolved against a guess.
 */
export function resolveBaseUri(
  documentUrl: string | null | undefined,
  baseHref: string | null | undefined,
): string | undefined {
  const documentBase = hierarchicalUrl(documentUrl);
  if (baseHref !== null && baseHref !== undefined) {
    try {
      const resolved = new URL(baseHref, documentBase);
      if (resolved.protocol === 'http:' || resolved.protocol === 'https:') return resolved.href;
    } catch {
      // a relative href and no document URL to resolve it against, or an invalid href: as browsers do, ignore it
    }
  }
  return documentBase?.href;
}

/** `document.baseURI` where the DOM has it, else {@link resolveBaseUri} from the document's URL and `<base href>`. */
export function documentBaseUri(document: Document | null | undefined): string | undefined {
  if (!document) return undefined;
  try {
    if (document.baseURI) return document.baseURI;
  } catch {
    // the server DOM does not implement it
  }
  return resolveBaseUri(document.URL, document.querySelector?.('base[href]')?.getAttribute('href'));
}
