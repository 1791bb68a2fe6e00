#!/usr/bin/env node
// Runs the Karma suites with the identity emulator started on loopback and
// proxied onto Karma's own origin, then stops it. Exits with Karma's code.
import { spawn } from 'node:child_process';

import { startIdentityServer } from '../e2e/identity-server/server.mjs';
import { freePort } from './free-port.mjs';

// Project names, then options for `ng test` (e.g. `--include=projects/.../x.spec.ts` to run one file).
const args = process.argv.slice(2);
const named = args.filter((arg) => !arg.startsWith('--'));
const projects = named.length ? named : ['identity-auth'];
const ngOptions = args.filter((arg) => arg.startsWith('--'));
const karmaPort = await freePort();
const emulator = await startIdentityServer({
  port: 0,
  publicUrl: `http://127.0.0.1:${karmaPort}`,
  testControls: true,
});

let code = 0;
try {
  for (const project of projects) {
    code = await new Promise((resolve) => {
      const child = spawn('npx', ['ng', 'test', project, '--watch=false', '--no-progress', ...ngOptions], {
        stdio: 'inherit',
        env: { ...process.env, IDENTITY_URL: emulator.url, KARMA_PORT: String(karmaPort), NG_CLI_ANALYTICS: 'false' },
      });
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    });
    if (code !== 0) break;
  }
} finally {
  await emulator.close();
}
process.exit(code);
