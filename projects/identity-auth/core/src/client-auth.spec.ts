import * as oauth from 'oauth4webapi';

import { basicAuthentication, refreshAuthentication } from './client-auth';
import { createIdentityClient } from './config';

function apply(auth: oauth.ClientAuth, clientId: string): { headers: Headers; body: URLSearchParams } {
  const headers = new Headers();
  const body = new URLSearchParams();
  auth({ issuer: 'https://b2trader.example/identity' }, { client_id: clientId }, body, headers);
  return { headers, body };
}

describe('client authentication', () => {
  const table: Array<[string, string | undefined, 'basic' | 'refresh', string | null, string | null]> = [
    ['spa, code exchange: Basic with an empty secret', undefined, 'basic', `Basic ${btoa('spa:')}`, null],
    [
      'spa_admin, code exchange: Basic id:secret',
      'client_secret_admin',
      'basic',
      `Basic ${btoa('spa_admin:client_secret_admin')}`,
      null,
    ],
    [
      'a secret with reserved characters is form-encoded first',
      'a b:c/d',
      'basic',
      `Basic ${btoa('spa_admin:a+b%3Ac%2Fd')}`,
      null,
    ],
    ['spa, refresh: client_id in the body, no Authorization', undefined, 'refresh', null, 'spa'],
    [
      'spa_admin, refresh: Basic, no client_id added by the auth step',
      'client_secret_admin',
      'refresh',
      `Basic ${btoa('spa_admin:client_secret_admin')}`,
      null,
    ],
  ];
  for (const [label, secret, kind, authorization, bodyClientId] of table) {
    it(label, () => {
      const clientId = secret === undefined ? 'spa' : 'spa_admin';
      const client = createIdentityClient({ url: 'https://b2trader.example', clientId, clientSecret: secret });
      const auth = kind === 'basic' ? basicAuthentication(client) : refreshAuthentication(client);
      const { headers, body } = apply(auth, clientId);
      expect(headers.get('authorization')).toBe(authorization);
      expect(body.get('client_id')).toBe(bodyClientId);
    });
  }
});
