#!/usr/bin/env node
// `npm test`: every test suite of the repository, in order, each starting and
// stopping what it needs. Ends with one summary line and a non-zero exit code
// when anything failed.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { linkBuiltPackage } from './link-built-package.mjs';
import { karmaCounts, nodeCounts, stripAnsi, suiteEnv, summaryLines } from './test-report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.mjs'))
    .sort()
    .map((f) => join(dir, f));
}

/** No suite may take longer than this: a hung test fails the run instead of hanging CI. */
const SUITE_LIMIT_MS = 10 * 60 * 1000;
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    let output = '';
    // its own process group, so that a hung suite is stopped with everything it started
    const child = spawn(command, args, {
      env: { ...suiteEnv(process.env, Boolean(process.stdout.isTTY)), NG_CLI_ANALYTICS: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child.pid);
    const watchdog = setTimeout(() => {
      output += `\ntest-all: suite stopped after ${SUITE_LIMIT_MS / 1000} s\n`;
      console.error(
        `test-all: ${command} ${args.join(' ').slice(0, 120)} ran over ${SUITE_LIMIT_MS / 1000} s; stopping it`,
      );
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, SUITE_LIMIT_MS);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      running.delete(child.pid);
      resolve({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}

/** The counts of a report ending with a plain `N passed, N failed` line. */
function lastPassedFailedLine(output) {
  const m = [...stripAnsi(output).matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  return { passed: Number(m?.[1] ?? 0), failed: Number(m?.[2] ?? 0) };
}

const suites = [
  {
    name: 'lint (ESLint, Prettier)',
    run: async () => {
      const eslint = await run('npx', ['eslint', '.']);
      if (eslint.code !== 0) return eslint;
      return run('npx', ['prettier', '--check', '--log-level=warn', '.']);
    },
  },
  {
    name: 'emulator (node:test)',
    run: () =>
      run(process.execPath, [
        '--test',
        '--test-reporter=spec',
        '--test-concurrency=1',
        ...testFiles('e2e/identity-server/test'),
      ]),
    counts: nodeCounts,
  },
  {
    name: 'library build (ng-packagr)',
    run: async () => {
      const result = await run('npx', ['ng', 'build', 'identity-auth']);
      if (result.code === 0) linkBuiltPackage();
      return result;
    },
  },
  {
    name: 'core in Node (node:test, against the built package)',
    skip: () => testFiles('projects/identity-auth/core/test').length === 0,
    run: () =>
      run(process.execPath, [
        '--test',
        '--test-reporter=spec',
        '--test-concurrency=1',
        ...testFiles('projects/identity-auth/core/test'),
      ]),
    counts: nodeCounts,
  },
  {
    name: 'README examples and scripts (node:test, against the built package)',
    run: () => run(process.execPath, ['--test', '--test-reporter=spec', ...testFiles('scripts/test')]),
    counts: nodeCounts,
  },
  {
    name: 'browser (Karma, headless Chromium, emulator behind the proxy)',
    run: () => run(process.execPath, ['scripts/karma-with-emulator.mjs', 'identity-auth', 'demo']),
    counts: karmaCounts,
  },
  {
    // the real engine in simulated tabs (Node, no browser): interleavings explored by fast-check
    name: 'race suite (reliability/races/, fast-check over 2–5 simulated tabs and a one-time-refresh-token server)',
    // A fixed seed: npm test is deterministic (the same 1000 schedules each run); `npm run test:races`
    // explores fresh seeds, 20 times as many.
    run: () => run(process.execPath, ['reliability/races/run.mjs', '--seed', '939456990']),
    counts: lastPassedFailedLine,
  },
  {
    name: 'fault matrix (reliability/, Chromium and Node; writes docs/fault-matrix.md)',
    run: async () => {
      const bookkeeping = await run(process.execPath, ['--test', 'reliability/test/']);
      return bookkeeping.code === 0 ? run(process.execPath, ['reliability/fault-matrix.mjs']) : bookkeeping;
    },
    counts: lastPassedFailedLine,
  },
  {
    name: 'bench (node:test: helpers, smoke run; bench/ has its own node_modules)',
    run: () =>
      run(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...testFiles('bench/test')]),
    counts: nodeCounts,
  },
  {
    name: 'end-to-end (node:test + Playwright, Chromium, the demo and a consumer app on the emulator)',
    skip: () => testFiles('e2e').length === 0,
    run: async () => {
      const build = await run('npx', ['ng', 'build', 'demo']);
      if (build.code !== 0) return build;
      return run(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...testFiles('e2e')]);
    },
    counts: nodeCounts,
  },
  {
    // the demo is built by the step before; the CI-sized soak writes e2e/out/, docs/soak.md keeps the long run
    name: 'multi-tab soak (Playwright, Chromium, 4 tabs × 2 min under injected faults)',
    run: async () => {
      const bookkeeping = await run(process.execPath, ['--test', 'e2e/soak/']);
      if (bookkeeping.code !== 0) return bookkeeping;
      return run(process.execPath, ['e2e/soak/soak.mjs', '--tabs', '4', '--minutes', '2', '--out', 'e2e/out/soak']);
    },
    counts: lastPassedFailedLine,
  },
];

const results = [];
const notRun = [];
for (const suite of suites) {
  if (suite.skip?.()) continue;
  // Nothing after a failed lint or build step can mean anything.
  if (results.some((r) => r.code !== 0 && !r.counted)) {
    notRun.push(suite.name);
    continue;
  }
  console.log(`\n=== ${suite.name} ===\n`);
  const started = Date.now();
  const { code, output } = await suite.run();
  const counts = suite.counts ? suite.counts(output) : {};
  results.push({
    name: suite.name,
    code,
    counted: Boolean(suite.counts),
    ...counts,
    seconds: ((Date.now() - started) / 1000).toFixed(1),
  });
}

console.log('\n=== summary ===');
for (const line of summaryLines(results, notRun)) console.log(line);
const broken = results.some((r) => r.code !== 0 || r.failed > 0);
process.exit(broken ? 1 : 0);
