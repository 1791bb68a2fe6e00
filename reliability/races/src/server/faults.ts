/**
 * Faults a scenario arms at the identity service or on the network. Each one hits
 * the next request of its kind that reaches the service (or would have):
 *
 * - `unavailable`: 503 before the service reads the request — nothing consumed;
 * - `rate-limited`: 429 with `Retry-After` before the service reads it — nothing consumed;
 * - `dropped`: the connection fails before the request reaches the service;
 * - `answer-lost`: the service does the work (a refresh token rotates, a sign-out
 *   revokes) and the answer is lost on the way back: the tab sees a network error.
 *
 * An outage drops every request until it ends; then every tab hears `online`.
 */
export type FaultKind = 'unavailable' | 'rate-limited' | 'dropped' | 'answer-lost';
export type RequestKind = 'sign-in' | 'authorize' | 'refresh' | 'code' | 'sign-out' | 'other';
export type FaultTarget = 'refresh' | 'token' | 'authorize' | 'sign-out' | 'any';

export interface Fault {
  readonly kind: FaultKind;
  readonly target: FaultTarget;
  /** For `rate-limited` (and optionally `unavailable`): the Retry-After, in seconds. */
  readonly retryAfterSec?: number;
}

function matches(target: FaultTarget, kind: RequestKind): boolean {
  switch (target) {
    case 'any':
      return kind !== 'other';
    case 'token':
      return kind === 'refresh' || kind === 'code';
    default:
      return target === kind;
  }
}

export class Faults {
  private armed: Fault[] = [];
  private offlineUntil = Number.NEGATIVE_INFINITY;
  /** Whether any fault or outage was armed in this run. */
  used = false;

  arm(fault: Fault, times: number): void {
    this.used = true;
    for (let i = 0; i < times; i += 1) this.armed.push(fault);
  }

  outage(until: number): void {
    this.used = true;
    this.offlineUntil = Math.max(this.offlineUntil, until);
  }

  offline(now: number): boolean {
    return now < this.offlineUntil;
  }

  /** The fault for a request of `kind`, consumed; or none. */
  take(kind: RequestKind): Fault | null {
    const i = this.armed.findIndex((fault) => matches(fault.target, kind));
    return i < 0 ? null : this.armed.splice(i, 1)[0];
  }

  /** No more faults (the quiet period at the end of a run); an outage runs out by itself. */
  disarm(): void {
    this.armed = [];
  }
}

/** What a request is, for faults and for the invariants. */
export function requestKind(method: string, url: URL, body: string): RequestKind {
  const path = url.pathname;
  if (path.endsWith('/identity/sign-in') && method === 'POST') return 'sign-in';
  if (path.endsWith('/identity/connect/authorize')) return 'authorize';
  if (path.endsWith('/identity/sign-out')) return 'sign-out';
  if (path.endsWith('/identity/connect/token')) {
    const grant = new URLSearchParams(body).get('grant_type');
    return grant === 'refresh_token' ? 'refresh' : grant === 'authorization_code' ? 'code' : 'other';
  }
  return 'other';
}
