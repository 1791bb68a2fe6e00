import { isIdentityAuthError } from 'b2trader.identity.auth';

/** The text as a sentence: the server's words may come without a full stop. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * What the sign-in page says when a step fails, one message per kind of failure: the
 * user's own mistake, the service being down, a passing problem, or a set-up problem
 * that only the app's developers or operators can fix.
 */
export function signInMessage(error: unknown): string {
  if (!isIdentityAuthError(error)) return 'Sign-in failed unexpectedly. Reload the page and try again.';
  switch (error.kind) {
    case 'invalid_credentials': // wrong email or password: the server's own words when it sent some
      return error.description ? sentence(error.description) : 'Wrong email or password.';
    case 'network':
    case 'server': // down, or in development not running behind the dev-server proxy
      return 'The identity service cannot be reached right now. Try again in a moment.';
    case 'timeout':
      return 'The identity service is too slow to answer right now. Try again in a moment.';
    case 'rate_limited':
      return 'Too many attempts. Wait a moment, then try again.';
    case 'login_required':
      return 'The sign-in did not complete. Sign in again.';
    case 'access_denied':
      return 'This account may not sign in here.';
    default: // invalid_client, invalid_response, invalid_grant, state_mismatch: the app's or the service's set-up
      return `Sign-in is not set up correctly (${error.kind}). Please tell support; the browser console has the details.`;
  }
}
