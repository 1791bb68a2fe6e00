// Fault matrix, cases 12–22: the id_token, the authorize step, sign-in and sign-out,
// through IdentityAuthService in Chromium against the emulator's /__faults.
import { isIdentityAuthError } from 'b2trader.identity.auth/core';
import { lastValueFrom } from 'rxjs';

import {
  arm,
  cleanSlate,
  closeAllTabs,
  openTab,
  requireEmulator,
  resetStats,
  stats,
  TOKEN_PATH,
  TRADER,
  TWO_FACTOR,
  until,
} from '../../projects/identity-auth/src/lib/testing-support/emulator-tabs';
import { describeError, matrixCase, type Observe, outcome, storedKeys } from './matrix';

const AUTHORIZE = '/identity/connect/authorize';

/** Logs in with `fault` armed; records the error, what was stored and how many codes were exchanged. */
async function loginUnder(label: string, fault: Record<string, unknown>, observe: Observe) {
  await cleanSlate();
  const tab = openTab({ storage: 'session' });
  await tab.service.restore();
  await arm(fault);
  const { error } = await outcome(tab.login());
  const exchanges = (await stats()).tokenRequests['authorization_code'] ?? 0;
  observe(
    `${label}: ${describeError(error)}; stored ${storedKeys().length}, status ${tab.service.status()}, ` +
      `code exchanges ${exchanges}`,
  );
  tab.close();
  return { error, exchanges, stored: storedKeys().length };
}

/** Each id_token change makes the whole answer refused, with nothing stored and the state signed out. */
async function refusedIdTokens(changes: [string, Record<string, unknown>][], observe: Observe): Promise<void> {
  for (const [label, change] of changes) {
    const { error, stored } = await loginUnder(label, { path: TOKEN_PATH, mode: 'id-token', ...change }, observe);
    expect(isIdentityAuthError(error, 'invalid_response')).withContext(label).toBeTrue();
    expect(stored).withContext(label).toBe(0);
  }
}

describe('fault matrix: id_token, authorize, sign-in and sign-out (12–22)', () => {
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(closeAllTabs);

  matrixCase('12', 'id_token nonce missing or different', 'reject the whole answer; store nothing', (observe) =>
    refusedIdTokens(
      [
        ['nonce missing', { delete: ['nonce'] }],
        ['nonce different', { set: { nonce: 'someone-elses' } }],
      ],
      observe,
    ),
  );

  matrixCase(
    '13',
    'id_token iss, aud, azp, exp, iat, sub wrong',
    'reject; store nothing',
    (observe) =>
      refusedIdTokens(
        [
          ['iss of another issuer', { set: { iss: 'https://evil.test/identity' } }],
          ['aud without us', { set: { aud: 'other' } }],
          ['two audiences, no azp', { set: { aud: ['spa', 'other'] } }],
          ['exp in the past', { set: { exp: Math.floor(Date.now() / 1000) - 3600 } }],
          ['iat missing', { delete: ['iat'] }],
          ['sub missing', { delete: ['sub'] }],
        ],
        observe,
      ),
    60_000,
  );

  matrixCase('14', 'id_token alg none, two parts, payload not JSON', 'reject', (observe) =>
    refusedIdTokens(
      [
        ['alg none', { shape: 'alg-none' }],
        ['two-part JWT', { shape: 'two-part' }],
        ['payload not JSON', { shape: 'payload-not-json' }],
      ],
      observe,
    ),
  );

  matrixCase(
    '15',
    'authorize ends at /identity/unauthorized (no identity session)',
    'typed `login_required`',
    async (observe) => {
      const tab = openTab();
      await tab.service.restore();
      observe(`restore without a session cookie: ${tab.service.status()}`);
      const { error } = await outcome(lastValueFrom(tab.service.authorize()));
      observe(`authorize(): ${describeError(error)}`);
      expect(tab.service.status()).toBe('signed-out');
      expect(isIdentityAuthError(error, 'login_required')).toBeTrue();
    },
  );

  matrixCase(
    '16',
    'authorize answers redirect_uri?error=access_denied&state=…',
    'typed `access_denied` with the description; no token request',
    async (observe) => {
      const { error, exchanges } = await loginUnder(
        'error=access_denied',
        {
          path: AUTHORIZE,
          mode: 'mutate-redirect',
          set: { error: 'access_denied', error_description: 'The trader is blocked' },
          delete: ['code'],
        },
        observe,
      );
      observe(`description: "${(error as { description?: string })?.description}"`);
      expect(isIdentityAuthError(error, 'access_denied')).toBeTrue();
      expect((error as { description?: string }).description).toBe('The trader is blocked');
      expect(exchanges).toBe(0);
    },
  );

  matrixCase(
    '17',
    'state missing, different, or present twice',
    'reject without exchanging the code',
    async (observe) => {
      for (const [label, change] of [
        ['state missing', { delete: ['state'] }],
        ['state different', { set: { state: 'forged' } }],
        ['state twice', { append: { state: 'again' } }],
      ] as const) {
        const { error, exchanges } = await loginUnder(
          label,
          { path: AUTHORIZE, mode: 'mutate-redirect', ...change },
          observe,
        );
        expect(isIdentityAuthError(error, 'state_mismatch')).withContext(label).toBeTrue();
        expect(exchanges).withContext(label).toBe(0);
      }
    },
  );

  matrixCase(
    '18',
    'the final URL is not the registered redirect URI (path; origin)',
    'reject; no code exchanged',
    async (observe) => {
      for (const [label, change] of [
        ['another path', { pathname: '/identity/elsewhere' }],
        ['another origin', { origin: 'http://127.0.0.2:9' }],
      ] as const) {
        const { error, exchanges } = await loginUnder(
          label,
          { path: AUTHORIZE, mode: 'mutate-redirect', ...change },
          observe,
        );
        expect(isIdentityAuthError(error)).withContext(label).toBeTrue();
        expect(isIdentityAuthError(error, 'invalid_credentials')).withContext(label).toBeFalse();
        expect(exchanges).withContext(label).toBe(0);
      }
    },
  );

  matrixCase(
    '19',
    'network error or CORS failure on a hop of the authorize chain',
    'typed `network` (or configuration) error, not "wrong password"',
    async (observe) => {
      const cors = await loginUnder(
        'hop to an origin that refuses (CORS)',
        { path: AUTHORIZE, mode: 'mutate-redirect', origin: 'http://127.0.0.1:9' },
        observe,
      );
      expect(isIdentityAuthError(cors.error, 'network')).toBeTrue();
      // Chromium resends a GET whose connection closed, so the hop is dropped every time it is tried.
      const dropped = await loginUnder(
        'authorize connection dropped on every try',
        { path: AUTHORIZE, mode: 'drop', count: 50 },
        observe,
      );
      expect(isIdentityAuthError(dropped.error, 'network')).toBeTrue();
    },
  );

  matrixCase(
    '20',
    'wrong password',
    'typed `invalid_credentials` with the server code `SignInUnsuccessful` and its message',
    async (observe) => {
      const tab = openTab();
      await tab.service.restore();
      const { error } = await outcome(tab.login(TRADER.email, 'Wr0ng!pass'));
      const err = error as { code?: string; description?: string; message?: string };
      observe(
        `${describeError(error)}, "${err?.description}"; password in the message=${String(err?.message).includes('Wr0ng!pass')}; ` +
          `status ${tab.service.status()}`,
      );
      expect(isIdentityAuthError(error, 'invalid_credentials')).toBeTrue();
      expect(err.code).toBe('SignInUnsuccessful');
      expect(err.description).toBeTruthy();
      expect(String(err.message)).not.toContain('Wr0ng!pass');
      expect(tab.service.status()).toBe('signed-out');
    },
  );

  matrixCase(
    '21',
    'sign-in answers secondFactorRequired: true',
    'not an error: the chain pauses at second-factor-required; the app finishes it',
    async (observe) => {
      const tab = openTab();
      await tab.service.restore();
      const steps = await tab.login(TWO_FACTOR.email, TWO_FACTOR.password);
      const second = await fetch('/identity/sign-in/second-factor', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: TWO_FACTOR.code }),
      });
      const resumed = await lastValueFrom(tab.service.continueLogin());
      observe(
        `steps ${steps.map((s) => s.step).join(' → ')}; second factor HTTP ${second.status}; ` +
          `continueLogin() → ${resumed.step}, status ${tab.service.status()}`,
      );
      expect(steps.at(-1)?.step).toBe('second-factor-required');
      expect(resumed.step).toBe('signed-in');
      expect(tab.service.status()).toBe('signed-in');
    },
  );

  matrixCase(
    '22',
    'the sign-out endpoint fails (503; connection dropped)',
    'local sign-out still completes: tokens forgotten, signed out, other tabs told',
    async (observe) => {
      for (const fault of [
        { mode: 'html', status: 503 },
        // Chromium resends a request whose connection closed: drop every try
        { mode: 'drop', count: 50 },
      ]) {
        await cleanSlate();
        const tab = openTab({ storage: 'local' });
        await tab.service.restore();
        await tab.login();
        const other = openTab({ storage: 'local' });
        await other.service.restore();
        await resetStats();
        await arm({ path: '/identity/sign-out', ...fault });
        const result = await lastValueFrom(tab.service.signOut());
        await until(() => other.service.status() === 'signed-out', 'the other tab to sign out');
        observe(
          `${fault.mode}: serverNotified ${result.serverNotified}, status ${tab.service.status()}, other tab ` +
            `${other.service.status()}, stored ${storedKeys().length}, token in this tab ${await tab.service.getAccessToken()}`,
        );
        expect(result.serverNotified).toBeFalse();
        expect(tab.service.status()).toBe('signed-out');
        expect(storedKeys()).toEqual([]);
        expect(await tab.service.getAccessToken()).toBeNull();
        tab.close();
        other.close();
      }
    },
  );
});
