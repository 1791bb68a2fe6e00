// What `npm test` reads from each suite's output and how it reports the run:
// pure functions, so that the summary's rules are tested without running the suites.

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text) {
  return text.replace(ANSI_ESCAPE, '');
}

/** Counts of Node's test runner: its closing `pass N` / `fail N` lines (spec or TAP reporter). */
export function nodeCounts(output) {
  const text = stripAnsi(output);
  const pass = [...text.matchAll(/^\S*\s*pass (\d+)$/gm)].pop();
  const fail = [...text.matchAll(/^\S*\s*fail (\d+)$/gm)].pop();
  return { passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0) };
}

/** Counts of Karma: the `TOTAL:` line of each run, added up. */
export function karmaCounts(output) {
  const text = stripAnsi(output);
  let passed = 0;
  let failed = 0;
  for (const m of text.matchAll(/TOTAL: (?:(\d+) FAILED, )?(\d+) SUCCESS/g)) {
    failed += Number(m[1] ?? 0);
    passed += Number(m[2]);
  }
  return { passed, failed };
}

/**
 * One summary line per suite. A suite that counts tests shows its counts; a step
 * that only succeeds or fails (lint, build) says `ok` or `failed`, never
 * "0 passed, 0 failed". Suites never run say why.
 *
 * @param {Array<{ name: string, code: number, counted: boolean, passed?: number, failed?: number, seconds: string }>} results
 * @param {string[]} notRun names of the suites left out after a failed step
 */
export function summaryLines(results, notRun = []) {
  const lines = results.map((r) => {
    const mark = r.code === 0 && !r.failed ? 'ok  ' : 'FAIL';
    const outcome = r.counted
      ? `${r.passed} passed, ${r.failed} failed${r.code !== 0 && !r.failed ? `, exit code ${r.code}` : ''}`
      : r.code === 0
        ? 'ok'
        : `failed, exit code ${r.code}`;
    return `${mark} ${r.name}: ${outcome} (${r.seconds} s)`;
  });
  for (const name of notRun) lines.push(`-    ${name}: not run (an earlier step failed)`);
  const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
  const failed = results.reduce((n, r) => n + (r.failed ?? 0), 0);
  lines.push(`${passed} passed, ${failed} failed`);
  return lines;
}

/**
 * The environment of each suite: when `npm test` writes to a pipe or a CI log, its
 * tools are told not to colour, so that the log has no escape codes. Both variables
 * are needed: ng-packagr reads only FORCE_COLOR=0, and the Angular CLI's spinner
 * (colorette) takes any FORCE_COLOR as "force" and only NO_COLOR as "off". At a
 * terminal, or when FORCE_COLOR is set by hand, nothing changes.
 */
export function suiteEnv(env, isTTY) {
  if (isTTY || env.FORCE_COLOR !== undefined) return { ...env };
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0' };
}
