import { IdentityAuthError, type IdentityAuthEvent, type IdentitySession } from 'b2trader.identity.auth';

import { describeEvent } from './describe-event';

const session: IdentitySession = {
  account: { id: 'u1', email: 'trader@example.com' },
  subject: 'u1',
  clientId: 'spa',
  scope: ['openid', 'FrontOffice'],
  expiresAt: 0,
};

describe('describeEvent', () => {
  const at = 1_700_000_000_000;
  const cases: [IdentityAuthEvent, string, string, string][] = [
    [
      { type: 'signedIn', via: 'login', session, at, origin: 'this-tab' },
      'Signed in',
      'trader@example.com, in this tab',
      'good',
    ],
    [
      { type: 'signedIn', via: 'restore', session: { ...session, account: { id: 'u1' } }, at, origin: 'other-tab' },
      'Session restored',
      'u1, in another tab',
      'good',
    ],
    [{ type: 'refreshed', session, at, origin: 'other-tab' }, 'Token refreshed', 'in another tab', 'info'],
    [
      {
        type: 'refreshFailed',
        transient: true,
        retryInMs: 1500,
        error: new IdentityAuthError('server', 'x'),
        at,
        origin: 'this-tab',
      },
      'Refresh failed, retrying',
      'server; next try in 1.5 s',
      'warn',
    ],
    [
      {
        type: 'refreshFailed',
        transient: false,
        error: new IdentityAuthError('invalid_grant', 'x'),
        at,
        origin: 'this-tab',
      },
      'Refresh refused',
      'invalid_grant',
      'bad',
    ],
    [{ type: 'sessionExpired', at, origin: 'this-tab' }, 'Session expired', 'in this tab', 'bad'],
    [{ type: 'signedOut', serverNotified: true, at, origin: 'other-tab' }, 'Signed out', 'in another tab', 'info'],
    [
      { type: 'signedOut', serverNotified: false, at, origin: 'this-tab' },
      'Signed out',
      'in this tab; the identity service could not be told yet',
      'info',
    ],
  ];
  for (const [event, title, detail, tone] of cases) {
    it(`describes ${event.type}: ${title}, ${detail}`, () => {
      expect(describeEvent(event)).toEqual({ at, type: event.type, title, detail, tone } as never);
    });
  }
});
