/** Session cookies in Node, where no cookie store carries them (internal). */

/** `name=value` pairs from the Set-Cookie lines of an answer (Node's fetch exposes them; browsers do not). */
export function cookiesFromHeaders(headers: Headers): string[] {
  const lines = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [];
  return lines.map((line) => line.split(';', 1)[0].trim()).filter((pair) => pair.includes('='));
}

/** The `Cookie` request header for those pairs, or `undefined` when there are none. */
export function cookieHeader(cookies: readonly string[]): Record<string, string> | undefined {
  return cookies.length > 0 ? { cookie: cookies.join('; ') } : undefined;
}
