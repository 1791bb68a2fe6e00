/**
 * Sending requests: a time limit on each, and the mapping of transport failures
 * (offline, reset, CORS, timeout) to typed errors.
 */
import type { IdentityClient } from './config';
import { IdentityAuthError, type IdentityAuthStep } from './errors';

/** Per-call options every protocol step accepts. */
export interface CallOptions {
  /** Aborts the call; the abort reason is rethrown as is. */
  signal?: AbortSignal;
}

function timeoutSignal(ms: number, caller?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  if (!caller) return timeout;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([caller, timeout]);
  // Safari before 17.4 has no AbortSignal.any
  const controller = new AbortController();
  const forward = (source: AbortSignal) => () => controller.abort(source.reason);
  if (caller.aborted) controller.abort(caller.reason);
  caller.addEventListener('abort', forward(caller), { once: true });
  timeout.addEventListener('abort', forward(timeout), { once: true });
  return controller.signal;
}

/**
 * Runs `work` with a signal that fires at the configured timeout (or when the
 * caller aborts), and maps what escapes it: a timeout → `timeout`, a failed
 * fetch → `network`. IdentityAuthErrors pass through; the caller's abort reason
 * is rethrown unchanged.
 */
export async function withTransport<T>(
  client: IdentityClient,
  step: IdentityAuthStep,
  options: CallOptions | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const signal = timeoutSignal(client.timeoutMs, options?.signal);
  try {
    return await work(signal);
  } catch (err) {
    throw transportError(client, step, err, signal, options?.signal);
  }
}

function transportError(
  client: IdentityClient,
  step: IdentityAuthStep,
  err: unknown,
  signal: AbortSignal,
  caller?: AbortSignal,
): unknown {
  if (caller?.aborted) return caller.reason;
  if (err instanceof IdentityAuthError) return err;
  if (signal.aborted || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))) {
    return new IdentityAuthError(
      'timeout',
      `${step} failed: no answer from the identity service within ${client.timeoutMs} ms.`,
      { step, cause: err },
    );
  }
  if (err instanceof TypeError && !(err as { code?: string }).code?.startsWith('ERR_INVALID')) {
    // fetch rejects with a TypeError for offline, refused, reset and CORS failures alike.
    return new IdentityAuthError(
      'network',
      `${step} failed: the identity service could not be reached (offline, connection refused or reset, or blocked by CORS).`,
      { step, cause: err },
    );
  }
  return err;
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
    throw new IdentityAuthError('network', `${step} failed: the connection was lost while the answer was read.`, {
      step,
      status: response.status,
      cause: err,
    });
  }
}
