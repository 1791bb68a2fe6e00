// ASP.NET Core's cookie parser accepts `;` and `,` between cookies and skips
// what is not a cookie. Node callers of 1.2 forward raw Set-Cookie values
// (attributes and all) as their Cookie header, so the emulator does the same.

const ATTRIBUTES = new Set([
  'path',
  'expires',
  'max-age',
  'domain',
  'samesite',
  'secure',
  'httponly',
  'partitioned',
  'priority',
]);

/** Parses a lenient Cookie header into name/value pairs (first one wins). */
export function parseLenientCookies(header) {
  const out = new Map();
  if (!header) return out;
  for (const part of String(header).split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!name || /\s/.test(name) || ATTRIBUTES.has(name.toLowerCase())) continue;
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** Name/value pairs as one strict Cookie header: `a=b; c=d`. */
export function joinCookies(pairs) {
  return [...pairs].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** Rewrites a lenient Cookie header into the strict `a=b; c=d` form. */
export function normaliseCookieHeader(header) {
  return joinCookies(parseLenientCookies(header));
}
