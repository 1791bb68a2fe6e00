// Helpers for the unit specs (no specs here): a fake fetch that records each request
// and answers from a table, and a way to catch what a call rejects with.
import { IdentityAuthError } from './errors';

/** One request the fake fetch received. */
export interface RecordedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string;
}

/** An answer: status, body text and headers. */
export interface FakeAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** A fetch that records each request and answers with `answer(request)` (or throws what it throws). */
export function fakeFetch(answer: (request: RecordedRequest) => FakeAnswer | Promise<FakeAnswer>): {
  fetch: typeof fetch;
  requests: RecordedRequest[];
} {
  const requests: RecordedRequest[] = [];
  const fake = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const request = new Request(input, init);
    const recorded: RecordedRequest = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: init.body === undefined || init.body === null ? '' : await request.text(),
    };
    requests.push(recorded);
    const { status, body, headers } = await answer(recorded);
    return new Response(status === 204 || status === 304 ? null : (body ?? ''), { status, headers });
  };
  return { fetch: fake as typeof fetch, requests };
}

/** A JSON answer. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): FakeAnswer {
  return { status, body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } };
}

/** What `promise` rejects with (fails the spec when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, got a result');
}

/** The IdentityAuthError `promise` rejects with, as a plain object of the fields specs compare. */
export async function failureOf(promise: Promise<unknown>): Promise<Partial<IdentityAuthError>> {
  const err = await rejectionOf(promise);
  if (!(err instanceof IdentityAuthError)) throw new Error(`expected an IdentityAuthError, got ${String(err)}`);
  const { kind, code, status, message, transient, description, traceId, retryAfterMs } = err;
  return Object.fromEntries(
    Object.entries({ kind, code, status, message, transient, description, traceId, retryAfterMs }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}

/** A row of a failure table: a label, the fake answer, and the fields the IdentityAuthError must have. */
export type FailureRow = [label: string, answer: FakeAnswer, expected: Partial<IdentityAuthError>];

/**
 * One spec per row: `call(fetch)` against a fake fetch giving the row's answer rejects
 * with an IdentityAuthError that has the expected fields and never contains `secret`.
 */
export function itMapsEachAnswer(
  table: readonly FailureRow[],
  call: (fetch: typeof globalThis.fetch) => Promise<unknown>,
  secret: string,
): void {
  for (const [label, answer, expected] of table) {
    it(`${label} → ${expected.kind}`, async () => {
      const failure = await failureOf(call(fakeFetch(() => answer).fetch));
      expect(failure).toEqual(jasmine.objectContaining(expected));
      expect(JSON.stringify(failure)).not.toContain(secret);
    });
  }
}
