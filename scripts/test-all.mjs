#!/usr/bin/env node
// `npm test`: every test suite of the repository, in order, each starting and
// stopping what it needs. Ends with one summary line and a non-zero exit code
// when anything failed.
import { AsyncLocalStorage } from 'node:async_hooks';
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

/** Set while a suite runs alongside another: its output is kept and printed when it ends. */
const alongside = new AsyncLocalStorage();

function run(command, args, env = {}) {
  const live = !alongside.getStore();
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
      if (live) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      if (live) process.stderr.write(chunk);
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
      if (result.code !== 0) return result;
      // the `ng add` schematic goes into the package ng-packagr has just written
      const schematics = await run(process.execPath, ['scripts/build-schematics.mjs']);
      if (schematics.code === 0) linkBuiltPackage();
      return { code: schematics.code, output: result.output + schematics.output };
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
    alongside: true,
    name: 'race suite (reliability/races/, fast-check over 2–5 simulated tabs and a one-time-refresh-token server)',
    // A fixed seed: npm test is deterministic (the same 1000 schedules each run); `npm run test:races`
    // explores fresh seeds, 20 times as many.
    run: () => run(process.execPath, ['reliability/races/run.mjs', '--seed', '939456990']),
    counts: lastPassedFailedLine,
  },
  {
    alongside: true,
    name: '`ng add` schematic (node:test: generated apps in memory, then on disk through the Angular CLI and ng build)',
    run: () =>
      run(process.execPath, ['--test', '--test-reporter=spec', ...testFiles('projects/identity-auth/schematics/test')]),
    counts: nodeCounts,
  },
  {
    name: 'fault matrix (reliability/, Chromium and Node; writes reliability/out/fault-matrix.md)',
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
    name: 'multi-tab soak (Playwright, Chromium, 4 tabs × 1 min under injected faults)',
    run: async () => {
      const bookkeeping = await run(process.execPath, ['--test', 'e2e/soak/']);
      if (bookkeeping.code !== 0) return bookkeeping;
      return run(process.execPath, ['e2e/soak/soak.mjs', '--tabs', '4', '--minutes', '1', '--out', 'e2e/out/soak']);
    },
    counts: lastPassedFailedLine,
  },
];

/**
 * Node 22 and the Angular 22 consumer's node_modules (e2e/angular22.test.mjs) install while the
 * early suites run (disk and network bound); the test waits for it through its lock, and
 * installs again if this failed.
 */
function prepareAngular22InBackground() {
  const child = spawn(process.execPath, ['e2e/support/angular22-workspace.mjs'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child.pid);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.on('exit', (code) => {
    running.delete(child.pid);
    if (code !== 0)
      process.stderr.write(`test-all: preparing the Angular 22 consumer failed; its test retries:\n${output}`);
  });
}

async function runSuite(suite) {
  const started = Date.now();
  const { code, output } = await suite.run();
  return {
    name: suite.name,
    code,
    output,
    counted: Boolean(suite.counts),
    ...(suite.counts ? suite.counts(output) : {}),
    seconds: ((Date.now() - started) / 1000).toFixed(1),
  };
}

prepareAngular22InBackground();
const results = [];
const notRun = [];
for (let i = 0; i < suites.length; i++) {
  const suite = suites[i];
  // Suites marked `alongside` run at the same time as the suite before them (which mostly waits
  // on the browser and the emulator's clocks); their output follows its output.
  const companions = [];
  while (suites[i + 1]?.alongside) companions.push(suites[++i]);
  const group = [suite, ...companions].filter((s) => !s.skip?.());
  if (group.length === 0) continue;
  // Nothing after a failed lint or build step can mean anything.
  if (results.some((r) => r.code !== 0 && !r.counted)) {
    notRun.push(...group.map((s) => s.name));
    continue;
  }
  const [lead, ...others] = group;
  console.log(`\n=== ${lead.name}${others.length ? ` (alongside: ${others.length} more)` : ''} ===\n`);
  const beside = others.map((other) => alongside.run(true, () => runSuite(other)));
  results.push(await runSuite(lead));
  for (const [index, pending] of beside.entries()) {
    const result = await pending;
    console.log(`\n=== ${others[index].name} (ran alongside) ===\n`);
    process.stdout.write(result.output);
    results.push(result);
  }
}

for (const pid of running) {
  try {
    process.kill(-pid, 'SIGKILL'); // a background preparation nothing waits for any more
  } catch {
    // already gone
  }
}
console.log('\n=== summary ===');
for (const line of summaryLines(results, notRun)) console.log(line);
const broken = results.some((r) => r.code !== 0 || r.failed > 0);
process.exit(broken ? 1 : 0);
