// The loopback host names the emulator trusts for redirect URIs and CORS origins,
// as URL.hostname spells them.

const LOOPBACK_HOSTNAMES = Object.freeze(['127.0.0.1', 'localhost', '[::1]']);

/** Whether `url` (a string or URL) points at this machine; false for anything unparsable. */
export function isLoopbackUrl(url) {
  try {
    return LOOPBACK_HOSTNAMES.includes(new URL(url).hostname);
  } catch {
    return false;
  }
}
