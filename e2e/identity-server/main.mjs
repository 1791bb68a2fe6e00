#!/usr/bin/env node
// The emulator's command: `npx b2trader-identity-emulator [options]` (the package's
// bin), `npm start` and `npm run identity-server` in this repository. Starts the
// emulator, prints how to use it and how to stop it, and stops with its parent npm.
import { basename } from 'node:path';

import { readSettings, usage } from './cli-options.mjs';
import { clientsLine, listenFailureMessage, usersLine } from './describe.mjs';
import { startIdentityServer } from './server.mjs';

function fail(message, exitCode = 2) {
  console.error(`identity-server: ${message}`);
  process.exit(exitCode);
}

const read = readSettings(process.argv.slice(2), process.env);
if (read.help) {
  process.stdout.write(usage());
  process.exit(0);
}
if (read.error) fail(read.error);
const { settings } = read;
// Run as the package's command (or given flags), a fix is told as a flag; in the repository, as a variable.
const style = read.fromFlags || basename(process.argv[1] ?? '') !== 'main.mjs' ? 'flags' : 'env';
const testControls = settings.testControls;
let server;
try {
  server = await startIdentityServer(settings);
} catch (err) {
  const message = listenFailureMessage(err, settings.host, settings.port, style);
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
