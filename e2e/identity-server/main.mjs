#!/usr/bin/env node
// `npm start` / `npm run identity-server`: starts the emulator, prints how to use
// it and how to stop it, and stops with its parent npm.
import { clientsLine, listenFailureMessage, usersLine } from './describe.mjs';
import { startIdentityServer } from './server.mjs';

function fail(message, exitCode = 2) {
  console.error(`identity-server: ${message}`);
  process.exit(exitCode);
}

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const host = process.env.IDENTITY_HOST || '127.0.0.1';
const port = intFromEnv('IDENTITY_PORT', 5055);
const testControls = process.env.IDENTITY_TEST_CONTROLS === '1';
let server;
try {
  server = await startIdentityServer({
    host,
    port,
    publicUrl: process.env.IDENTITY_PUBLIC_URL || undefined,
    accessTokenTtl: intFromEnv('ACCESS_TOKEN_TTL', 30),
    refreshTokenTtl: intFromEnv('REFRESH_TOKEN_TTL', 14 * 24 * 3600),
    sessionTtl: intFromEnv('SESSION_TTL', 14 * 24 * 3600),
    testControls,
  });
} catch (err) {
  const message = listenFailureMessage(err, host, port);
  if (!message) throw err;
  fail(message, 1);
}

console.log(`identity-server: listening on ${server.url}`);
console.log(`identity-server: issuer ${server.issuer}`);
console.log(`identity-server: users ${usersLine()}`);
console.log(`identity-server: clients ${clientsLine()}`);
if (testControls) console.log('identity-server: test controls on (/__stats, /__faults, /__tokens)');
console.log('identity-server: Ctrl-C stops it (or SIGTERM to this process or to npm)');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.close();
  console.log('identity-server: stopped');
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);

// Under npm the server runs below npm's shell, which does not pass a SIGTERM on:
// when npm goes away this process is handed to another parent, and stops.
if (process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 250).unref();
}
