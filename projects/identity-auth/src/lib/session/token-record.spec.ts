import type { TokenSet } from 'b2trader.identity.auth/core';

import { isNewerRecord, parseRecord, recordFromTokens, sessionFromRecord } from './token-record';

const tokens: TokenSet = {
  accessToken: 'at',
  tokenType: 'Bearer',
  expiresAt: 31_000,
  expiresIn: 30,
  refreshToken: 'rt',
  scope: 'openid offline_access FrontOffice',
  receivedAt: 1_000,
  idTokenClaims: { iss: 'i', sub: 'user-1', aud: 'spa', exp: 1, iat: 1 },
};

describe('token records', () => {
  it('derive the public session without any token', () => {
    const record = recordFromTokens(tokens, {
      generation: 3,
      sessionId: 's',
      clientId: 'spa',
      requestedScope: 'openid',
      account: { id: 'user-1', email: 'a@b.c' },
    });
    const session = sessionFromRecord(record);
    expect(session).toEqual({
      account: { id: 'user-1', email: 'a@b.c' },
      subject: 'user-1',
      clientId: 'spa',
      scope: ['openid', 'offline_access', 'FrontOffice'],
      expiresAt: 31_000,
    });
    expect(JSON.stringify(session)).not.toContain('"at"');
    expect(JSON.stringify(session)).not.toContain('rt');
  });

  it('know only the subject after a silent restore', () => {
    const record = recordFromTokens(tokens, {
      generation: 1,
      sessionId: 's',
      clientId: 'spa',
      requestedScope: 'openid',
    });
    expect(record.account).toEqual({ id: 'user-1' });
  });

  it('re-time the answer on the engine clock, keeping its lifetime', () => {
    const record = recordFromTokens(tokens, {
      generation: 1,
      sessionId: 's',
      clientId: 'spa',
      requestedScope: 'openid',
      receivedAt: 500_000,
    });
    expect(record.receivedAt).toBe(500_000);
    expect(record.expiresAt).toBe(530_000);
  });

  const base = recordFromTokens(tokens, { generation: 2, sessionId: 's', clientId: 'spa', requestedScope: 'openid' });
  const table: [string, number, number, boolean][] = [
    ['a higher generation wins', 3, 0, true],
    ['a lower generation loses', 1, 99_999, false],
    ['the same generation: the later arrival wins', 2, 5_000, true],
    ['the same record does not replace itself', 2, 1_000, false],
  ];
  for (const [name, generation, receivedAt, expected] of table) {
    it(name, () => expect(isNewerRecord({ ...base, generation, receivedAt }, base)).toBe(expected));
  }

  it('parse back what they wrote and nothing malformed', () => {
    expect(parseRecord(JSON.parse(JSON.stringify(base)))).toEqual(base);
    expect(parseRecord(null)).toBeNull();
    expect(parseRecord({ ...base, accessToken: '' })).toBeNull();
    expect(parseRecord({ ...base, generation: '2' })).toBeNull();
    expect(parseRecord({ ...base, account: undefined })).toBeNull();
    expect(parseRecord({ ...base, sessionId: 7 })).toBeNull();
  });
});
