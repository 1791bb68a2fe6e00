/**
 * The few globals that the engine's protocol client (core, oauth4webapi) reads
 * directly instead of through the platform seam, bound to the simulation:
 *
 * - `Date.now`: core stamps token answers with it and oauth4webapi checks id_token
 *   `exp`/`iat` against it — the virtual clock, so a run does not depend on the wall clock.
 * - `setTimeout`/`clearTimeout`: core's transport arms a real time limit
 *   (`timeoutMs`) on every request. Here it is an event of the tab that sent the
 *   request, on the virtual clock: a request the network never answers times out as
 *   in a browser, and nothing real is left to keep Node alive after a run.
 * - `crypto.subtle.digest`: oauth4webapi's PKCE challenge. WebCrypto answers on
 *   another thread, at a moment no scheduler controls; the same SHA-256, answered
 *   as a resolved promise, keeps runs deterministic.
 *
 * Outside a run (no scheduler installed) each falls through to the real one.
 */
import { createHash } from 'node:crypto';

import type { Scheduler } from './scheduler';

let active: Scheduler | null = null;

/** Binds the globals to `scheduler` for one run (null: back to the real ones). */
export function useScheduler(scheduler: Scheduler | null): void {
  active = scheduler;
}

/** A handle as Node's timers return one: only ever passed back to clearTimeout. */
class VirtualTimer {
  constructor(readonly cancel: () => void) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return false;
  }
}

let installed = false;

export function installVirtualGlobals(): void {
  if (installed) return;
  installed = true;
  const realNow = Date.now.bind(Date);
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;

  Date.now = () => (active ? active.now : realNow());

  const virtualSetTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const scheduler = active;
    if (!scheduler) return realSetTimeout(callback, ms, ...args);
    const owner = scheduler.current;
    const cancel = scheduler.schedule({
      owner,
      lane: `timers:${owner ?? 'net'}`,
      order: 'time',
      delay: ms ?? 0,
      label: `global timer (${ms} ms) fires`,
      run: () => callback(...args),
    });
    return new VirtualTimer(cancel);
  };
  globalThis.setTimeout = virtualSetTimeout as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((handle: unknown) => {
    if (handle instanceof VirtualTimer) handle.cancel();
    else realClearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  }) as typeof clearTimeout;

  const subtle = globalThis.crypto.subtle;
  const realDigest = subtle.digest.bind(subtle);
  subtle.digest = ((algorithm: AlgorithmIdentifier, data: BufferSource) => {
    const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
    if (name.toUpperCase() !== 'SHA-256') return realDigest(algorithm, data);
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    const digest = createHash('sha256').update(bytes).digest();
    return Promise.resolve(digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength));
  }) as typeof subtle.digest;
}
