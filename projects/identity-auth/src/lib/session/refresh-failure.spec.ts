import { IdentityAuthError, type IdentityAuthErrorKind } from 'b2trader.identity.auth/core';

import { reauthorizeFailureAction, refreshFailureAction } from './refresh-failure';

describe('refreshFailureAction', () => {
  const table: [IdentityAuthErrorKind, string | undefined, string][] = [
    ['network', undefined, 'retry'],
    ['timeout', undefined, 'retry'],
    ['server', undefined, 'retry'],
    ['rate_limited', undefined, 'retry'],
    ['invalid_grant', 'invalid_grant', 'reauthorize'],
    ['invalid_response', 'invalid_token_response', 'reauthorize'],
    ['invalid_response', 'subject_mismatch', 'end'],
    ['invalid_client', 'invalid_client', 'end'],
    ['login_required', undefined, 'end'],
  ];
  for (const [kind, code, expected] of table) {
    it(`${kind}${code ? ` (${code})` : ''} → ${expected}`, () => {
      expect(refreshFailureAction(new IdentityAuthError(kind, 'x', { code }))).toBe(expected);
    });
  }
  it('anything that is not an IdentityAuthError ends the session', () => {
    expect(refreshFailureAction(new Error('bug'))).toBe('end');
    expect(refreshFailureAction(undefined)).toBe('end');
  });
});

describe('reauthorizeFailureAction', () => {
  it('keeps the session on a transient failure of the silent authorize', () => {
    expect(reauthorizeFailureAction(new IdentityAuthError('network', 'x'))).toBe('retry');
  });
  it('ends it when the identity session is gone', () => {
    expect(reauthorizeFailureAction(new IdentityAuthError('login_required', 'x'))).toBe('end');
  });
});
