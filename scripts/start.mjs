#!/usr/bin/env node
// `npm start`: builds the library, then runs the identity emulator and the demo's dev
// server together, on one origin (the dev server proxies /identity and /api to the
// emulator), until Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { SEEDED_ACCOUNTS } from '../e2e/identity-server/accounts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';

/** A port setting from the environment, or the reason it is unusable. */
export function portFromEnv(name, fallback, env = process.env) {
  const raw = env[name];
  if (raw === undefined || raw === '') return { port: fallback };
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return { error: `start: ${name} must be a port number (0-65535), got "${raw}"` };
  }
  return { port };
}

/** What to say when a port is taken. */
export function portInUseMessage(name, port) {
  return (
    `start: port ${port} on ${HOST} is already in use (${name}). ` +
    `Stop whatever is listening there, or choose another port: ${name}=${port + 1} npm start`
  );
}

/** The lines printed once both servers are up. */
export function readyBanner(demoUrl, emulatorUrl, accounts = SEEDED_ACCOUNTS) {
  return [
    '',
    `  B2Trader demo:     ${demoUrl}/`,
    `  identity emulator: ${emulatorUrl} (proxied at ${demoUrl}/identity and ${demoUrl}/api)`,
    '  users:',
    ...accounts.map(
      (a) => `    ${a.email} / ${a.password}${a.secondFactor ? `  (second factor ${a.secondFactor})` : ''}`,
    ),
    '  Ctrl-C stops both.',
    '',
  ].join('\n');
}

function checkFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error) => resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? error.code : true));
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

const children = new Set();

function launch(command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, NG_CLI_ANALYTICS: 'false', ...options.env },
    stdio: ['ignore', options.pipe ? 'pipe' : 'inherit', 'inherit'],
    detached: true, // its own process group, so that stopping it stops what it started
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function stopAll() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

function exited(child) {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main() {
  const demo = portFromEnv('DEMO_PORT', 4200);
  const identity = portFromEnv('IDENTITY_PORT', 5055);
  for (const setting of [demo, identity]) if (setting.error) fail(setting.error);
  if (demo.port === 0) fail('start: DEMO_PORT must be a fixed port: the emulator needs the demo origin up front');
  for (const [name, port] of [
    ['DEMO_PORT', demo.port],
    ['IDENTITY_PORT', identity.port],
  ]) {
    if (port !== 0 && (await checkFree(port)) !== true) fail(portInUseMessage(name, port));
  }

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log('\nstart: stopping the demo and the emulator');
      stopAll();
      setTimeout(() => process.exit(0), 300).unref();
    });
  }

  console.log('start: building the library (ng build identity-auth)');
  const build = await exited(launch('npx', ['ng', 'build', 'identity-auth']));
  if (build !== 0) fail('start: the library build failed (see above)');

  const demoUrl = `http://${HOST}:${demo.port}`;
  // ACCESS_TOKEN_TTL, SESSION_TTL and the other emulator settings come along in the environment.
  const emulator = launch(process.execPath, ['e2e/identity-server/main.mjs'], {
    pipe: true,
    env: { IDENTITY_HOST: HOST, IDENTITY_PORT: String(identity.port), IDENTITY_PUBLIC_URL: demoUrl },
  });
  const emulatorUrl = await new Promise((resolve) => {
    let buffered = '';
    emulator.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(buffered);
      if (match) resolve(match[1]);
    });
    emulator.on('exit', () => resolve(undefined));
  });
  if (!emulatorUrl) fail('start: the identity emulator did not start (see above)');

  const proxyFile = join(root, '.angular', 'demo-proxy.json');
  mkdirSync(dirname(proxyFile), { recursive: true });
  const route = { target: emulatorUrl, secure: false, changeOrigin: false };
  writeFileSync(proxyFile, JSON.stringify({ '/identity': route, '/api': route, '/__': route }, null, 2));
  const server = launch('npx', [
    'ng',
    'serve',
    'demo',
    '--host',
    HOST,
    '--port',
    String(demo.port),
    '--proxy-config',
    proxyFile,
    '--no-open',
    '--no-hmr',
  ]);

  const ready = (async () => {
    for (;;) {
      const answer = await fetch(`${demoUrl}/`).catch(() => undefined);
      if (answer?.ok) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const first = await Promise.race([
    ready.then(() => 'ready'),
    exited(server).then(() => 'server'),
    exited(emulator).then(() => 'emulator'),
  ]);
  if (first !== 'ready') {
    stopAll();
    fail(`start: the ${first === 'server' ? 'demo dev server' : 'identity emulator'} stopped (see above)`);
  }
  console.log(readyBanner(demoUrl, emulatorUrl));

  const gone = await Promise.race([
    exited(server).then(() => 'demo dev server'),
    exited(emulator).then(() => 'identity emulator'),
  ]);
  if (!stopping) {
    stopAll();
    fail(`start: the ${gone} stopped; stopping the other`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
