import { isIdentityAuthError } from 'b2trader.identity.auth';

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** What the sign-in page says when a step fails: the server's own words for a refusal, a plain hint otherwise. */
export function signInMessage(error: unknown): string {
  if (!isIdentityAuthError(error)) return 'Sign-in failed unexpectedly. Reload the page and try again.';
  switch (error.kind) {
    case 'invalid_credentials':
      return error.description ? sentence(error.description) : 'Wrong email or password.';
    case 'timeout':
      return 'The identity service is too slow to answer right now. Try again in a moment.';
    case 'network':
    case 'server':
      return 'The identity service cannot be reached right now. Try again in a moment.';
    case 'rate_limited':
      return 'Too many attempts. Wait a moment, then try again.';
    case 'login_required':
      return 'The sign-in did not complete. Sign in again.';
    default:
      return `Sign-in failed (${error.kind}). Try again, and contact support if it keeps failing.`;
  }
}

/** The message of a refused second factor (the emulator's own step: `{ errors: [{ code, message }] }`). */
export function secondFactorMessage(status: number, body: unknown): string {
  if (status >= 500 || status === 0) return 'The identity service cannot be reached right now. Try again in a moment.';
  const errors = typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  const message = typeof first === 'object' && first !== null ? (first as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message ? sentence(message) : 'That code was not accepted.';
}
