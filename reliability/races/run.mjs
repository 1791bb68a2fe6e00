#!/usr/bin/env node
// The race suite: bundles the suite with the session engine of a source tree and
// runs it in Node. `npm test` runs the default size; `npm run test:races` a longer run.
//
//   node reliability/races/run.mjs [--runs N | --runs 20x] [--seed S --path P] [--only abc]
//     [--match REGEX] [--fix storage=local,locks=false] [--without fault,outage]
//     [--explore] [--full-trace] [--print-trace] [--source <checkout>]
//
// --source points the bundle at another checkout's engine (e.g. a `git worktree` of an
// older commit); everything else goes to the suite (src/main.ts; README.md explains each).
import { spawn } from 'node:child_process';

import { bundleSuite } from './bundle.mjs';

/** Scenarios in one default run: sized for well under a minute on two cores. */
const DEFAULT_RUNS = 1000;

const args = process.argv.slice(2);
const take = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
};

const source = take('--source');
const runs = take('--runs') ?? String(DEFAULT_RUNS);
// `--runs 20x`: twenty times the default.
const count = runs.endsWith('x') ? Number(runs.slice(0, -1)) * DEFAULT_RUNS : Number(runs);
if (!Number.isInteger(count) || count < 1) {
  console.error(`--runs ${runs}: give a number of scenarios, or a multiple of the default such as 20x`);
  process.exit(2);
}

const bundle = await bundleSuite({ source });
if (source) console.log(`race suite against the engine in ${source}`);
const child = spawn(process.execPath, ['--enable-source-maps', bundle, '--runs', String(count), ...args], {
  stdio: 'inherit',
  // for the replay line of a failure report
  env: { ...process.env, RACES_SOURCE: source ?? '' },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
