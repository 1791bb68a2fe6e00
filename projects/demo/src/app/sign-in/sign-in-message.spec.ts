import { IdentityAuthError } from 'b2trader.identity.auth';

import { secondFactorMessage } from './second-factor';
import { signInMessage } from './sign-in-message';

describe('signInMessage', () => {
  const cases: [string, unknown, string][] = [
    [
      "a refusal with the server's words",
      new IdentityAuthError('invalid_credentials', 'x', { description: 'The sign-in was unsuccessful' }),
      'The sign-in was unsuccessful.',
    ],
    ['a refusal without words', new IdentityAuthError('invalid_credentials', 'x'), 'Wrong email or password.'],
    [
      'a timeout',
      new IdentityAuthError('timeout', 'x'),
      'The identity service is too slow to answer right now. Try again in a moment.',
    ],
    [
      'a network failure',
      new IdentityAuthError('network', 'x'),
      'The identity service cannot be reached right now. Try again in a moment.',
    ],
    [
      'a 5xx',
      new IdentityAuthError('server', 'x'),
      'The identity service cannot be reached right now. Try again in a moment.',
    ],
    ['a 429', new IdentityAuthError('rate_limited', 'x'), 'Too many attempts. Wait a moment, then try again.'],
    [
      'a set-up problem (the client)',
      new IdentityAuthError('invalid_client', 'x'),
      'Sign-in is not set up correctly (invalid_client). Please tell support; the browser console has the details.',
    ],
    [
      'a set-up problem (the issuer)',
      new IdentityAuthError('invalid_response', 'authorize failed: unexpected "iss" (issuer) response parameter value'),
      'Sign-in is not set up correctly (invalid_response). Please tell support; the browser console has the details.',
    ],
    [
      'a development proxy with nothing behind it',
      new IdentityAuthError('server', 'sign-in failed: is the identity service running?', { status: 500 }),
      'The identity service cannot be reached right now. Try again in a moment.',
    ],
    ['a refused account', new IdentityAuthError('access_denied', 'x'), 'This account may not sign in here.'],
    [
      'an unfinished sign-in',
      new IdentityAuthError('login_required', 'x'),
      'The sign-in did not complete. Sign in again.',
    ],
    ['not a library error', new Error('boom'), 'Sign-in failed unexpectedly. Reload the page and try again.'],
  ];
  for (const [name, error, expected] of cases) {
    it(`explains ${name}`, () => expect(signInMessage(error)).toBe(expected));
  }
});

describe('secondFactorMessage', () => {
  const cases: [string, number, unknown, string][] = [
    [
      "the server's message",
      400,
      { errors: [{ code: 'SecondFactorUnsuccessful', message: 'The second factor was not accepted' }] },
      'The second factor was not accepted.',
    ],
    ['a body without errors', 400, { title: 'Bad Request' }, 'That code was not accepted.'],
    ['no body', 400, undefined, 'That code was not accepted.'],
    ['a 5xx', 502, undefined, 'The identity service cannot be reached right now. Try again in a moment.'],
    ['no answer', 0, undefined, 'The identity service cannot be reached right now. Try again in a moment.'],
  ];
  for (const [name, status, body, expected] of cases) {
    it(`explains ${name}`, () => expect(secondFactorMessage(status, body)).toBe(expected));
  }
});
