// The package's programmatic API, for test runners: start the emulator on a free
// port, read its URL and seeded users, steer it through /__stats and /__faults, stop it.
import { SEEDED_ACCOUNTS } from './accounts.mjs';
import { startIdentityServer } from './server.mjs';

export { startIdentityServer };

/**
 * A seeded test account: sign in with `email` and `password`; `secondFactor` is the
 * code that finishes the sign-in of an account that asks for one.
 * @typedef {{ readonly email: string, readonly password: string, readonly secondFactor?: string }} SeededUser
 */

/** @param {import('./accounts.mjs').SeededAccount} account */
function seededUser({ email, password, secondFactor }) {
  return Object.freeze(secondFactor ? { email, password, secondFactor } : { email, password });
}

/**
 * The emulator's test accounts: `trader@example.com` / `Passw0rd!`, and
 * `2fa@example.com` / `Passw0rd!` whose sign-in asks for the second factor `123456`.
 * @type {{ readonly trader: SeededUser, readonly secondFactor: SeededUser, readonly all: readonly SeededUser[] }}
 */
export const SEEDED_USERS = Object.freeze({
  trader: seededUser(SEEDED_ACCOUNTS[0]),
  secondFactor: seededUser(SEEDED_ACCOUNTS[1]),
  all: Object.freeze(SEEDED_ACCOUNTS.map(seededUser)),
});

/**
 * A fault for the next `count` requests to `path` (see the README's table of modes),
 * e.g. `{ path: '/identity/connect/token', mode: 'html', status: 502 }`.
 * @typedef {{ path: string, mode: string, count?: number, method?: string } & Record<string, unknown>} Fault
 */

/**
 * What `GET /__stats` counts.
 * @typedef {{ requests: Record<string, number>, tokenRequests: Record<string, number>, refreshReuseDetected: number, api: { ok: number, unauthorized: number, forbidden: number }, signIn: { succeeded: number, failed: number }, revoked: { refreshTokens: number, grants: number }, faultsApplied: number }} EmulatorStats
 */

/**
 * The test controls of an emulator started with test controls on.
 * @typedef {object} EmulatorControls
 * @property {() => Promise<EmulatorStats>} stats the counters (`GET /__stats`)
 * @property {() => Promise<void>} resetStats sets every counter back to 0 (`POST /__stats/reset`)
 * @property {(fault: Fault) => Promise<void>} setFault arms a fault (`POST /__faults`); refused faults reject
 * @property {() => Promise<{ faults: Fault[], heldAnswers: number }>} faults what is armed, and the answers `delay-answer` holds now (`GET /__faults`)
 * @property {() => Promise<void>} clearFaults disarms every fault (`DELETE /__faults`)
 */

/** Sends one request to a test control and returns its JSON answer, if any. */
async function callControl(baseUrl, method, path, body) {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    const hint = response.status === 404 ? ' (is the emulator running with test controls on?)' : '';
    throw new Error(`b2trader-identity-emulator: ${method} ${path} answered ${response.status}${hint}: ${text}`);
  }
  return text ? JSON.parse(text) : undefined;
}

/**
 * The test controls of an emulator at `url` (its own address, or an origin that proxies
 * `/__` to it) — for an emulator started elsewhere, e.g. by the command in another process.
 * @param {string} url
 * @returns {EmulatorControls}
 */
export function emulatorControls(url) {
  return {
    stats: () => callControl(url, 'GET', '/__stats'),
    resetStats: async () => {
      await callControl(url, 'POST', '/__stats/reset');
    },
    setFault: async (fault) => {
      await callControl(url, 'POST', '/__faults', fault);
    },
    faults: () => callControl(url, 'GET', '/__faults'),
    clearFaults: async () => {
      await callControl(url, 'DELETE', '/__faults');
    },
  };
}

/**
 * A running emulator.
 * @typedef {EmulatorControls & { url: string, publicUrl: string, issuer: string, users: typeof SEEDED_USERS, stop(): Promise<void> }} RunningEmulator
 */

/**
 * Starts the emulator in this process, with its test controls on and nothing logged,
 * on a free loopback port unless `port` says otherwise.
 *
 * @param {object} [options]
 * @param {string} [options.publicUrl] the origin the browser sees, when a dev server or test server
 *   proxies `/identity` and `/api` to the emulator (e.g. `http://localhost:4200`): the issuer,
 *   the redirect URIs and every `Location` are on it. Default: the emulator's own URL.
 * @param {number} [options.port] default 0 (a free port)
 * @param {string} [options.host] default `127.0.0.1`
 * @param {number} [options.accessTokenTtl] seconds, default 30
 * @param {number} [options.refreshTokenTtl] seconds, default 14 days
 * @param {number} [options.sessionTtl] seconds, default 14 days
 * @param {boolean} [options.testControls] default true
 * @param {boolean} [options.quiet] default true: unexpected server errors are answered, not logged
 * @returns {Promise<RunningEmulator>} `url` is where the emulator listens (and where its test
 *   controls answer); `issuer` is `<publicUrl>/identity`
 */
export async function startIdentityEmulator(options = {}) {
  const server = await startIdentityServer({ port: 0, testControls: true, quiet: true, ...options });
  return {
    url: server.url,
    publicUrl: server.publicUrl,
    issuer: server.issuer,
    users: SEEDED_USERS,
    ...emulatorControls(server.url),
    stop: () => server.close(),
  };
}
