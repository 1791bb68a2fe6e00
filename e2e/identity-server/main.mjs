#!/usr/bin/env node
// `npm run identity-server`: starts the emulator and prints how to use it.
import { SEEDED_ACCOUNTS } from './accounts.mjs';
import { CLIENTS } from './clients.mjs';
import { startIdentityServer } from './server.mjs';

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`identity-server: ${name} must be a non-negative integer, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const server = await startIdentityServer({
  host: process.env.IDENTITY_HOST || '127.0.0.1',
  port: intFromEnv('IDENTITY_PORT', 5055),
  publicUrl: process.env.IDENTITY_PUBLIC_URL || undefined,
  accessTokenTtl: intFromEnv('ACCESS_TOKEN_TTL', 30),
  refreshTokenTtl: intFromEnv('REFRESH_TOKEN_TTL', 14 * 24 * 3600),
  sessionTtl: intFromEnv('SESSION_TTL', 14 * 24 * 3600),
  testControls: process.env.IDENTITY_TEST_CONTROLS === '1',
});

console.log(`identity-server: listening on ${server.url}`);
console.log(`identity-server: issuer ${server.issuer}`);
console.log(
  `identity-server: users ${SEEDED_ACCOUNTS.map((a) => `${a.email} / ${a.password}${a.secondFactor ? ` (second factor ${a.secondFactor})` : ''}`).join(', ')}`,
);
console.log(
  `identity-server: clients ${Object.entries(CLIENTS)
    .map(([id, c]) => (c.secret ? `${id} / ${c.secret}` : id))
    .join(', ')}`,
);
if (process.env.IDENTITY_TEST_CONTROLS === '1') console.log('identity-server: test controls on (/__stats, /__faults)');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    console.log('identity-server: stopped');
    process.exit(0);
  });
}
