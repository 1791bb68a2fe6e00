/**
 * The network between the tabs and the identity service, as the `fetch` each tab's
 * protocol client is created with. A request is two hops, each an event at a time the
 * scheduler picks: it reaches the service (an event of the network, so a tab frozen
 * after sending still has it served), and its answer reaches the tab (an event of
 * that tab). Faults and outages act at the service end (see faults.ts). The browser's
 * identity-session cookie goes along unless the request says `credentials: 'omit'`,
 * and an answer that sets or deletes it changes it for every tab.
 *
 * The client's abort signal (core's time limit, a virtual timer of the tab) rejects
 * the tab's promise as a browser's fetch does; the request, once sent, still reaches
 * the service.
 */
import type { Faults, RequestKind } from '../server/faults';
import { requestKind } from '../server/faults';
import type { IdentityServer, ServerAnswer, ServerRequest } from '../server/identity-server';
import type { Scheduler } from '../sim/scheduler';

export interface NetworkObserver {
  /** A tab sends a request (before anything else happens to it). */
  sent(tab: string, kind: RequestKind, body: URLSearchParams): void;
  /** An answer reached a tab (not called for lost answers or aborted requests). */
  answered(tab: string, kind: RequestKind, answer: ServerAnswer): void;
  /** Tokens of `grant` are on their way to `tab` (travelling), or no longer (arrived, or the tab is gone). */
  inFlight(tab: string, grant: string, travelling: boolean): void;
}

export interface CookieJar {
  cookie: string | null;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new TextDecoder().decode(body as ArrayBuffer);
  throw new TypeError(`the fake network cannot send a ${Object.prototype.toString.call(body)} body`);
}

function requestUrl(input: RequestInfo | URL): URL {
  if (input instanceof URL) return new URL(input.href);
  return new URL(typeof input === 'string' ? input : input.url);
}

export class Network {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly server: IdentityServer,
    private readonly faults: Faults,
    private readonly jar: CookieJar,
    private readonly latency: () => number,
    private readonly observer: NetworkObserver,
  ) {}

  /** The `fetch` of one tab (core binds the global fetch when a client is created). */
  fetchFor(tab: string): typeof fetch {
    return (input: RequestInfo | URL, init?: RequestInit) => this.send(tab, input, init);
  }

  private send(tab: string, input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const url = requestUrl(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    const body = bodyText(init.body);
    // The browser attaches its cookie when it sends the request, not when the request arrives.
    const cookie = init.credentials !== 'omit' ? this.jar.cookie : null;
    const kind = requestKind(method, url, body);
    const signal = init.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const settle = (work: () => void) => {
        if (settled) return;
        settled = true;
        work();
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => settle(() => reject(signal.reason)), { once: true });
      this.observer.sent(tab, kind, new URLSearchParams(body));
      this.scheduler.schedule({
        owner: null,
        delay: this.latency(),
        label: `${kind} request from ${tab} reaches the service`,
        run: () => {
          const answer = this.atService({ from: tab, method, url, headers, body, cookie }, kind);
          if (answer?.grant) this.observer.inFlight(tab, answer.grant, true);
          this.scheduler.schedule({
            owner: tab,
            delay: this.latency(),
            label: answer ? `gets the ${kind} answer: ${answer.status}` : `gets a network error for ${kind}`,
            run: () => {
              if (answer?.grant) this.observer.inFlight(tab, answer.grant, false);
              settle(() => {
                if (!answer) return reject(new TypeError('Failed to fetch'));
                // The browser takes a Set-Cookie when the answer arrives, not when the service sends it.
                if (answer.cookie !== undefined) this.jar.cookie = answer.cookie;
                this.observer.answered(tab, kind, answer);
                resolve(
                  new Response(NULL_BODY_STATUS.has(answer.status) || answer.body === '' ? null : answer.body, {
                    status: answer.status,
                    headers: answer.headers,
                  }),
                );
              });
            },
          });
        },
      });
    });
  }

  /** What the service answers, or null when no answer comes back (a fault, an outage). */
  private atService(request: ServerRequest, kind: RequestKind): ServerAnswer | null {
    if (this.faults.offline(this.scheduler.now)) return null;
    const fault = this.faults.take(kind);
    switch (fault?.kind) {
      case 'dropped':
        return null;
      case 'unavailable':
        return {
          status: 503,
          headers: {
            'content-type': 'text/html',
            ...(fault.retryAfterSec ? { 'retry-after': `${fault.retryAfterSec}` } : {}),
          },
          body: '<html><body>503 Service Unavailable</body></html>',
        };
      case 'rate-limited':
        return {
          status: 429,
          headers: { 'content-type': 'text/plain', 'retry-after': `${fault.retryAfterSec ?? 30}` },
          body: 'Too Many Requests',
        };
      default:
        break;
    }
    const answer = this.server.handle(request);
    // Lost on the way back: the service did the work, the tab never hears of it.
    if (fault?.kind === 'answer-lost') return null;
    return answer;
  }
}
