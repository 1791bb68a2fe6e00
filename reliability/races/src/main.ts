/**
 * The race suite's entry (bundled by run.mjs): fast-check generates scenarios, each
 * runs the real engine in N simulated tabs, and any violated invariant fails the
 * property — fast-check then shrinks the scenario and prints the seed, the path and
 * the shrunk scenario, with the trace of the shrunk run.
 *
 * Options: --runs N, --seed S, --path P (replay), --scenario JSON (one scenario), --only abc (the invariants that
 * fail a run; default all), --match REGEX (only violations whose message matches),
 * --fix storage=local,locks=false (hold scenario fields fixed), --without fault,outage
 * (leave commands out), --explore (run N scenarios without stopping and count
 * which invariants break, with a replayable seed/path for each), --full-trace (the
 * whole trace in the failure report), --print-trace (print every run's whole trace).
 */
import '@angular/compiler';

import fc from 'fast-check';

import type { InvariantId, Violation } from './check/monitor';
import { runScenario } from './scenario/run-scenario';
import { FOUND_SCHEDULES } from './scenario/found-schedules';
import { type Scenario, scenario as anyScenario } from './scenario/scenario';
import { installVirtualGlobals } from './sim/virtual-globals';

interface Options {
  runs: number;
  seed?: number;
  path?: string;
  only: Set<InvariantId>;
  /** Only violations whose message matches fail a run. */
  match?: RegExp;
  /** Scenario fields held fixed (`--fix storage=local,locks=false`). */
  fixed: Partial<Scenario>;
  /** Commands left out (`--without fault,outage`). */
  without: Set<string>;
  explore: boolean;
  fullTrace: boolean;
  printTrace: boolean;
  /** One scenario to run, as JSON (a `Counterexample` line's element, or a found schedule). */
  scenario?: Scenario;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seed = value('--seed');
  return {
    runs: Number(value('--runs') ?? 1000),
    seed: seed === undefined ? undefined : Number(seed),
    path: value('--path'),
    only: new Set((value('--only') ?? 'abcdefgh').split('') as InvariantId[]),
    match: value('--match') === undefined ? undefined : new RegExp(value('--match')!),
    fixed: Object.fromEntries(
      (value('--fix') ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const [key, text] = pair.split('=');
          return [key, text === 'true' ? true : text === 'false' ? false : /^\d+$/.test(text) ? Number(text) : text];
        }),
    ) as Partial<Scenario>,
    without: new Set((value('--without') ?? '').split(',').filter(Boolean)),
    explore: argv.includes('--explore'),
    fullTrace: argv.includes('--full-trace'),
    printTrace: argv.includes('--print-trace'),
    scenario: value('--scenario') === undefined ? undefined : (JSON.parse(value('--scenario')!) as Scenario),
  };
}

/** The options that shape a run (all but --runs, --seed, --path), for the replay line. */
function replayArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (['--runs', '--seed', '--path'].includes(argv[i])) i += 1;
    else out.push(/^[\w.,=:/-]+$/.test(argv[i]) ? argv[i] : `'${argv[i]}'`);
  }
  return out;
}

class RaceViolation extends Error {
  override readonly name = 'RaceViolation';
}

/** What a failed run says: each invariant broken (first occurrence, and how often), then the trace up to the first. */
function report(violations: readonly Violation[], trace: readonly string[], fullTrace: boolean): string {
  const byInvariant = new Map<InvariantId, Violation[]>();
  for (const v of violations) byInvariant.set(v.invariant, [...(byInvariant.get(v.invariant) ?? []), v]);
  const lines = [...byInvariant].map(
    ([id, list]) => `  (${id}) ${list[0].message}${list.length > 1 ? ` [+${list.length - 1} more]` : ''}`,
  );
  const story = fullTrace ? trace : violations[0].trace;
  const title = fullTrace ? 'the whole trace:' : 'the trace of the first violation:';
  return ['invariants violated:', ...lines, '', title, ...story.map((l) => `  ${l}`)].join('\n');
}

/** The scenarios of this run: any, or with the fields given by --fix held fixed and the --without commands left out. */
function scenarios(options: Options): fc.Arbitrary<Scenario> {
  const { fixed, without } = options;
  if (Object.keys(fixed).length === 0 && without.size === 0) return anyScenario;
  return anyScenario.map((s) => ({ ...s, ...fixed, commands: s.commands.filter((c) => !without.has(c.op)) }));
}

/** A violation's message with its names and numbers blanked: violations of one kind share it. */
function shape(message: string): string {
  return message
    .replace(/\b(?:rt-|at-)?(?:grant|idsession|t)-?\d+(?:-\d+)*\b/g, '…')
    .replace(/\d+(?:\.\d+)?s?\b/g, 'N')
    .replace(/\(t\d+\b/g, '(…');
}

async function explore(options: Options): Promise<number> {
  const found = new Map<string, { runs: number; first: string; message: string }>();
  let index = 0;
  // The run with the most events: an engine that keeps itself busy (a retry loop) shows here.
  let busiest = { steps: 0, path: '' };
  let slowest = { ms: 0, path: '' };
  const details = await fc.check(
    fc.asyncProperty(scenarios(options), async (s) => {
      const run = index;
      index += 1;
      const began = Date.now();
      const { violations, steps } = await runScenario(s);
      if (Date.now() - began > slowest.ms) slowest = { ms: Date.now() - began, path: `--path ${run}` };
      if (steps > busiest.steps) busiest = { steps, path: `--path ${run}` };
      const kinds = new Map(violations.map((v) => [`(${v.invariant}) ${shape(v.message)}`, v]));
      for (const [kind, v] of kinds) {
        const entry = found.get(kind);
        if (entry) entry.runs += 1;
        else found.set(kind, { runs: 1, first: `--path ${run}`, message: v.message });
      }
      return true;
    }),
    { numRuns: options.runs, seed: options.seed },
  );
  console.log(`explored ${options.runs} scenarios (--seed ${details.seed}); violations by kind:`);
  for (const [kind, entry] of [...found].sort()) {
    console.log(
      `  ${kind}\n      in ${entry.runs} runs; first: --seed ${details.seed} ${entry.first}: ${entry.message}`,
    );
  }
  if (details.failed) {
    // Not a violation: the simulation itself broke (it never came to rest, it threw).
    console.log(fc.defaultReportMessage(details));
    if (details.errorInstance) console.log(String(details.errorInstance));
  }
  console.log(`  busiest run: ${busiest.steps} events (--seed ${details.seed} ${busiest.path})`);
  console.log(`  slowest run: ${slowest.ms} ms (--seed ${details.seed} ${slowest.path})`);
  return found.size;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  installVirtualGlobals();
  // The engine fires and forgets some promises (as the app would): a browser would log them, not stop.
  process.on('unhandledRejection', () => undefined);
  const started = Date.now();
  if (options.scenario) {
    const { violations, trace } = await runScenario(options.scenario);
    const failing = violations.filter((v) => options.only.has(v.invariant));
    console.log(failing.length > 0 ? report(failing, trace, options.fullTrace) : 'no invariant violated');
    process.exitCode = failing.length > 0 ? 1 : 0;
    return;
  }
  if (options.explore) {
    await explore(options);
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return;
  }
  const details = await fc.check(
    fc.asyncProperty(scenarios(options), async (s) => {
      const { violations, trace } = await runScenario(s);
      if (options.printTrace) console.log([JSON.stringify(s), ...trace].join('\n'));
      const failing = violations.filter(
        (v) => options.only.has(v.invariant) && (!options.match || options.match.test(v.message)),
      );
      if (failing.length > 0) throw new RaceViolation(report(failing, trace, options.fullTrace));
    }),
    {
      numRuns: options.runs,
      seed: options.seed,
      path: options.path,
      verbose: true,
      // A replay (--path) counts runs from the seed's first: the found schedules would shift it.
      examples: options.path === undefined ? FOUND_SCHEDULES.map((s) => [s] as [Scenario]) : [],
    },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (details.failed) {
    console.log(fc.defaultReportMessage(details));
    // The shrunk run's own report: which invariants, and the trace that led there.
    if (details.errorInstance instanceof RaceViolation) console.log(`\n${details.errorInstance.message}`);
    const source = process.env['RACES_SOURCE'] ? ['--source', process.env['RACES_SOURCE']] : [];
    const shaping = replayArgs([...process.argv.slice(2), ...source]).join(' ');
    console.log(
      `\nreplay: node reliability/races/run.mjs --seed ${details.seed} --path ${details.counterexamplePath} --runs 1 ${shaping}`.trimEnd(),
    );
    console.log(`(${seconds} s)`);
    console.log(`${Math.max(0, details.numRuns - 1)} passed, 1 failed`);
    process.exitCode = 1;
  } else {
    console.log(
      `race suite: ${details.numRuns} scenarios, seed ${details.seed}, invariants ${[...options.only].join('')} (${seconds} s)`,
    );
    console.log(`${details.numRuns} passed, 0 failed`);
  }
}

await main();
