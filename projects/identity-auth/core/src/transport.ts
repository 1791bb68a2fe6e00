/**
 * Sending requests: a time limit on each call that holds whatever `fetch` does, and
 * the mapping of transport failures (offline, refused, reset, CORS, timeout) to
 * typed errors. Anything else that escapes a call (a bug, a wrong argument) goes
 * up as it is: only a genuine failure to reach the server is `network`.
 */
import { internalsOf, type IdentityClient } from './config';
import { IdentityAuthError, type IdentityAuthStep, redactError, optionError } from './errors';

/** `false` in production builds, which then drop the message texts behind it; undefined in Node. */
declare const ngDevMode: unknown;

/** Per-call options every protocol step accepts. */
export interface CallOptions {
  /** Aborts the call; the abort reason is rethrown as is. */
  signal?: AbortSignal;
}

/** System error codes of a connection that could not be made or was lost. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** What each runtime's fetch says, and only says, when the server could not be reached. */
const FETCH_NETWORK_MESSAGES: ReadonlySet<string> = new Set([
  'fetch failed', // Node (undici); the system error is its cause
  'Failed to fetch', // Chromium
  'NetworkError when attempting to fetch resource.', // Firefox
  'Load failed', // Safari
  'Network request failed', // fetch polyfills
]);

function systemCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The system error code of a failure to reach the server (`ECONNREFUSED`, …), `''`
 * when it is one without a code (browsers tell nothing more), or `undefined` when
 * `err` is not such a failure at all (a bug in a custom fetch, an invalid header).
 * Pure.
 */
export function networkFailureCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = systemCode(err) ?? systemCode(err.cause);
  if (code !== undefined) return NETWORK_CODES.has(code) ? code : undefined;
  // A coded cause that is not a lost connection (a TLS certificate refused, an undici bug) is
  // no network failure: retrying it would spin forever showing "offline".
  if (err.name === 'TypeError' && FETCH_NETWORK_MESSAGES.has(err.message)) return '';
  return undefined;
}

function inBrowser(): boolean {
  return (
    typeof document !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function'
  );
}

/**
 * The message of a `network` error: the origin tried, the system code when there is
 * one, and what to check. CORS is named in browsers only, where it can be the cause.
 * Pure.
 */
export function networkMessage(step: IdentityAuthStep, origin: string, code: string, browser: boolean): string {
  const what = `${step} failed: could not reach the identity service at ${origin}${code ? ` (${code})` : ''}.`;
  return browser
    ? `${what} The browser is offline, the service is down, or it does not allow this page's origin (CORS).`
    : `${what} Check that the service is up and that "url" is right.`;
}

/** A signal that fires at `ms` or when `caller` fires, and a way to release its timer and listener. */
function deadline(
  ms: number,
  caller: AbortSignal | undefined,
): { signal: AbortSignal; timedOut(): boolean; release(): void } {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException('The identity service did not answer in time.', 'TimeoutError'));
  }, ms);
  const forward = () => controller.abort(caller?.reason);
  if (caller?.aborted) forward();
  else caller?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    release: () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', forward);
    },
  };
}

/** Settles when `signal` fires, with its reason: the time limit holds even if `work` ignores the signal. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * Runs `work` with a signal that fires at the configured timeout (or when the
 * caller aborts), and gives up at that moment even if `work` does not. What
 * escapes is mapped: the time limit → `timeout`, a failure to reach the server →
 * `network`, the caller's abort → its reason, unchanged. IdentityAuthErrors pass,
 * with `secrets` (and the client secret) redacted from them. Anything else is a
 * bug or a wrong argument and goes up as it is.
 */
export async function withTransport<T>(
  client: IdentityClient,
  step: IdentityAuthStep,
  options: CallOptions | undefined,
  work: (signal: AbortSignal) => Promise<T>,
  secrets: readonly (string | undefined)[] = [],
): Promise<T> {
  const caller = options?.signal;
  const allSecrets = [internalsOf(client).secret, ...secrets];
  const limit = deadline(client.timeoutMs, caller);
  try {
    return await Promise.race([work(limit.signal), rejectOnAbort(limit.signal)]);
  } catch (err) {
    if (caller?.aborted) throw caller.reason;
    if (err instanceof IdentityAuthError) throw redactError(err, allSecrets);
    if (limit.timedOut()) {
      throw new IdentityAuthError(
        'timeout',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `${step} failed: no answer from the identity service within ${client.timeoutMs} ms.`
          : '',
        { step, cause: err, secrets: allSecrets },
      );
    }
    const code = networkFailureCode(err);
    if (code !== undefined) {
      const message =
        typeof ngDevMode === 'undefined' || ngDevMode
          ? networkMessage(step, new URL(client.baseUrl).origin, code, inBrowser())
          : '';
      throw new IdentityAuthError('network', message, {
        step,
        cause: err,
        secrets: allSecrets,
      });
    }
    throw err;
  } finally {
    limit.release();
  }
}

/**
 * Reads a body as text; a connection lost mid-body is a `network` error. When the
 * call's signal fired, the raw failure goes up so that {@link withTransport} names
 * it a timeout (or rethrows the caller's abort).
 */
export async function readText(response: Response, step: IdentityAuthStep, signal: AbortSignal): Promise<string> {
  try {
    return await response.text();
  } catch (err) {
    if (signal.aborted) throw err;
    throw new IdentityAuthError(
      'network',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `${step} failed: the connection was lost while the answer was read.`
        : '',
      {
        step,
        status: response.status,
        cause: err,
      },
    );
  }
}

/** A `Headers` from what a caller passed, or a `TypeError` naming `name` (the value is not repeated: it may be a cookie). */
export function checkHeaders(headers: HeadersInit | undefined, name: string): Headers {
  try {
    return new Headers(headers);
  } catch {
    throw optionError(
      name,
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `"${name}" must be valid HTTP headers (a name or value has a line break or another character HTTP does not allow)`
        : '',
    );
  }
}
