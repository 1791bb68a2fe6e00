// Plain-fetch helpers for walking the protocol in tests: a minimal cookie jar,
// PKCE, and the B2Trader steps written out by hand.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, beforeEach } from 'node:test';

import { joinCookies } from '../cookies.mjs';
import { startIdentityServer } from '../server.mjs';

export const TRADER = { email: 'trader@example.com', password: 'Passw0rd!' };
export const TWO_FACTOR = { email: '2fa@example.com', password: 'Passw0rd!', code: '123456' };
export const SECRETS = { spa_admin: 'client_secret_admin', core_ib: 'some_core_ib_secret', lk: 'some_lk_secret' };
export const SCOPES = {
  spa: 'openid offline_access FrontOffice',
  spa_admin: 'openid offline_access FrontOffice BackOffice',
  core_ib: 'openid offline_access BackOffice',
  lk: 'openid offline_access FrontOffice',
};

/**
 * Starts an emulator with test controls on a free loopback port. Its server does
 * not keep the process alive, so a test that fails before closing it cannot hang.
 */
export async function startEmulator(options = {}) {
  return startIdentityServer({ port: 0, testControls: true, unref: true, ...options });
}

/**
 * Starts one emulator for the calling test file and stops it after; `onStart`
 * receives its URL (one hook: Node 20 does not serialise top-level hooks).
 * Faults are cleared before each test.
 */
export function useEmulator(onStart, options = {}) {
  const handle = { server: undefined };
  before(async () => {
    handle.server = await startEmulator(options);
    onStart(handle.server.url);
  });
  after(() => handle.server?.close());
  beforeEach(() => fetch(`${handle.server.url}/__faults`, { method: 'DELETE' }));
  return handle;
}

/** Keeps name=value of every Set-Cookie, sends them back as one Cookie header. */
export class CookieJar {
  #cookies = new Map();

  take(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header() {
    return joinCookies(this.#cookies);
  }

  has(name) {
    return this.#cookies.has(name);
  }
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function basic(clientId, secret = '') {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export async function signIn(base, jar, { email, password } = TRADER) {
  const response = await fetch(`${base}/identity/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: jar.header() },
    body: JSON.stringify({ email, password }),
  });
  jar.take(response);
  return { response, body: await response.json() };
}

export function authorizeUrl(
  base,
  {
    clientId = 'spa',
    challenge,
    state = randomBytes(8).toString('hex'),
    nonce = randomBytes(8).toString('hex'),
    redirectUri = `${base}/identity/sign-in-done`,
    method = 'S256',
    scope = SCOPES[clientId],
  } = {},
) {
  const url = new URL(`${base}/identity/connect/authorize`);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: method,
    scope,
    state,
    nonce,
  }).toString();
  return url;
}

/** One authorize request, redirects not followed: the first answer. */
export async function authorizeOnce(base, jar, params) {
  return fetch(authorizeUrl(base, params), { headers: { cookie: jar.header() }, redirect: 'manual' });
}

export async function tokenRequest(base, form, headers = {}) {
  const response = await fetch(`${base}/identity/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { response, status: response.status, text, json };
}

/** Sign-in, authorize and code exchange for a browser client, by hand. */
export async function loginChain(base, { clientId = 'spa', account = TRADER } = {}) {
  const jar = new CookieJar();
  await signIn(base, jar, account);
  const { verifier, challenge } = pkce();
  const redirectUri = `${base}/identity/sign-in-done`;
  const authorize = await authorizeOnce(base, jar, { clientId, challenge, redirectUri });
  const location = new URL(authorize.headers.get('location'));
  const code = location.searchParams.get('code');
  const auth = basic(clientId, SECRETS[clientId] ?? '');
  const token = await tokenRequest(
    base,
    {
      code,
      grant_type: 'authorization_code',
      code_verifier: verifier,
      redirect_uri: redirectUri,
    },
    { authorization: auth },
  );
  return { jar, code, location, verifier, redirectUri, token, tokens: token.json };
}

export async function refresh(base, clientId, refreshToken) {
  const headers = SECRETS[clientId] ? { authorization: basic(clientId, SECRETS[clientId]) } : {};
  return tokenRequest(
    base,
    {
      client_id: clientId,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      scope: SCOPES[clientId],
    },
    headers,
  );
}

export async function passwordGrant(base, clientId, { email, password } = TRADER, secret = SECRETS[clientId]) {
  return tokenRequest(
    base,
    {
      grant_type: 'password',
      username: email,
      password,
      scope: SCOPES[clientId],
    },
    { authorization: basic(clientId, secret) },
  );
}

export async function callApi(base, path, accessToken) {
  const response = await fetch(`${base}${path}`, {
    headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  });
  return { status: response.status, headers: response.headers, json: await response.json().catch(() => undefined) };
}

export async function stats(base) {
  return (await fetch(`${base}/__stats`)).json();
}

export async function addFault(base, fault) {
  const response = await fetch(`${base}/__faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (response.status !== 201) throw new Error(`fault rejected: ${await response.text()}`);
}

export function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) };
}

/** Polls until `check` returns a truthy value, or throws after `timeoutMs`. */
export async function waitFor(check, { timeoutMs = 5000, intervalMs = 20 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Starts `command` with its output collected: `output` grows as it arrives, `exit`
 * resolves to the exit code (or the signal's name).
 */
export function collect(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output.stderr += chunk;
  });
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return { child, output, exit };
}

/** Runs an ES module given as text in a new Node process: `{ code, stdout, stderr }`. */
export async function runModule(source, options = {}) {
  const { output, exit } = collect(process.execPath, ['--input-type=module', '-e', source], options);
  const code = await exit;
  return { code, ...output };
}
