import { HttpErrorResponse } from '@angular/common/http';
import { IdentityAuthError } from 'b2trader.identity.auth';

import { secondsLeft } from './countdown';
import { describeApiFailure } from './front-office-account';

describe('describeApiFailure', () => {
  const cases: [string, unknown, string][] = [
    ['no answer', new HttpErrorResponse({ status: 0 }), 'The API cannot be reached.'],
    ['a 401', new HttpErrorResponse({ status: 401 }), 'The API refused the token (401).'],
    ['a 403', new HttpErrorResponse({ status: 403 }), 'This account may not use the FrontOffice API (403).'],
    [
      'a 500',
      new HttpErrorResponse({ status: 500, statusText: 'Internal Server Error' }),
      'The API answered 500 Internal Server Error.',
    ],
    [
      'a transient identity failure',
      new IdentityAuthError('timeout', 'x'),
      'No fresh token: the identity service is not answering. Retrying.',
    ],
    ['the end of the session', new IdentityAuthError('login_required', 'x'), 'The session has ended. Sign in again.'],
    ['anything else', new Error('x'), 'The call failed unexpectedly.'],
  ];
  for (const [name, error, expected] of cases) {
    it(`explains ${name}`, () => expect(describeApiFailure(error)).toBe(expected));
  }
});

describe('secondsLeft', () => {
  const cases: [number, number, string][] = [
    [10_000, 0, '10.0'],
    [10_000, 9_950, '0.1'],
    [10_000, 10_000, '0.0'],
    [10_000, 12_000, '0.0'],
  ];
  for (const [expiresAt, now, expected] of cases) {
    it(`shows ${expected} s at ${now} for ${expiresAt}`, () => expect(secondsLeft(expiresAt, now)).toBe(expected));
  }
});
