// Preparation every run makes by itself, so that `npm run bench` works on a clean checkout.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const benchDir = join(import.meta.dirname, '..');
export const rootDir = join(benchDir, '..');
/** Build output of the bench apps; under the root's ignored `dist/`, never committed. */
export const outDir = join(rootDir, 'dist', 'bench');

/** Runs a command to completion; rejects with its tail of output when it fails. */
export function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} failed:\n${output.slice(-3000)}`)),
    );
  });
}

/** bench's own node_modules, from its own lockfile: the other libraries never enter the workspace's. */
export async function installBenchDependencies(log) {
  if (existsSync(join(benchDir, 'node_modules', '@angular', 'build'))) return;
  log('installing bench dependencies (npm ci in bench/)');
  await run('npm', ['ci', '--no-audit', '--no-fund'], benchDir);
}

/**
 * Builds the library at the root and copies the package into bench/node_modules, as an app that installed
 * it gets it (a copy, not a link: a link would resolve Angular from the workspace and bundle it twice).
 */
export async function buildLibrary(log) {
  log('building the library (npm run build at the root)');
  await run('npm', ['run', 'build'], rootDir);
  const target = join(benchDir, 'node_modules', 'b2trader.identity.auth');
  rmSync(target, { recursive: true, force: true });
  cpSync(join(rootDir, 'dist', 'identity-auth'), target, { recursive: true });
}

/** Production build of one bench app (a project of bench/angular.json) into dist/bench/<name>. */
export async function buildApp(name) {
  await run(join(benchDir, 'node_modules', '.bin', 'ng'), ['build', name], benchDir);
  return join(outDir, name);
}
