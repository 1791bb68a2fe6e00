/**
 * The second factor, sent by the app itself: B2Trader does not document this step, and
 * this is the emulator's (`POST identity/sign-in/second-factor` with `{ code }`, the
 * browser sending the sign-in's cookie). Resolves with `null` when the code was
 * accepted, else with what to tell the user.
 */
export async function sendSecondFactor(code: string): Promise<string | null> {
  let answer: Response;
  try {
    answer = await fetch('identity/sign-in/second-factor', {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
  } catch {
    return secondFactorMessage(0, undefined);
  }
  return answer.ok ? null : secondFactorMessage(answer.status, await answer.json().catch(() => undefined));
}

/** The message of a refused second factor: the server's own (`{ errors: [{ code, message }] }`) when it sent one. */
export function secondFactorMessage(status: number, body: unknown): string {
  if (status >= 500 || status === 0) return 'The identity service cannot be reached right now. Try again in a moment.';
  const errors = typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  const message = typeof first === 'object' && first !== null ? (first as { message?: unknown }).message : undefined;
  if (typeof message !== 'string' || !message) return 'That code was not accepted.';
  return /[.!?]$/.test(message) ? message : `${message}.`;
}
