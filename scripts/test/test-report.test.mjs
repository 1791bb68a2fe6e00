// How `npm test` reads each suite and sums up the run (scripts/test-report.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { karmaCounts, nodeCounts, suiteEnv, summaryLines } from '../test-report.mjs';

test('a lint or build step that passed says "ok", never "0 passed, 0 failed"', () => {
  const lines = summaryLines([
    { name: 'lint', code: 0, counted: false, seconds: '9.0' },
    { name: 'emulator', code: 0, counted: true, passed: 96, failed: 0, seconds: '21.8' },
    { name: 'library build', code: 0, counted: false, seconds: '40.2' },
  ]);
  assert.deepEqual(lines, [
    'ok   lint: ok (9.0 s)',
    'ok   emulator: 96 passed, 0 failed (21.8 s)',
    'ok   library build: ok (40.2 s)',
    '96 passed, 0 failed',
  ]);
});

test('a failed step says so with its exit code; the suites after it are listed as not run', () => {
  const lines = summaryLines(
    [
      { name: 'lint', code: 0, counted: false, seconds: '9.0' },
      { name: 'library build', code: 1, counted: false, seconds: '3.1' },
    ],
    ['core in Node', 'browser'],
  );
  assert.deepEqual(lines, [
    'ok   lint: ok (9.0 s)',
    'FAIL library build: failed, exit code 1 (3.1 s)',
    '-    core in Node: not run (an earlier step failed)',
    '-    browser: not run (an earlier step failed)',
    '0 passed, 0 failed',
  ]);
});

test('a counted suite that crashed with nothing failed shows its exit code; failures are counted', () => {
  const lines = summaryLines([
    { name: 'karma', code: 1, counted: true, passed: 0, failed: 0, seconds: '5.0' },
    { name: 'node', code: 1, counted: true, passed: 10, failed: 2, seconds: '1.0' },
  ]);
  assert.deepEqual(lines, [
    'FAIL karma: 0 passed, 0 failed, exit code 1 (5.0 s)',
    'FAIL node: 10 passed, 2 failed (1.0 s)',
    '10 passed, 2 failed',
  ]);
});

test('the last line is always the plain "N passed, N failed" line', () => {
  for (const results of [[], [{ name: 'x', code: 0, counted: false, seconds: '0.1' }]]) {
    assert.match(summaryLines(results).at(-1), /^\d+ passed, \d+ failed$/);
  }
});

test("node's closing counts are read from the spec and TAP reporters, with or without colours", () => {
  assert.deepEqual(nodeCounts('# tests 5\n# pass 4\n# fail 1\n'), { passed: 4, failed: 1 });
  assert.deepEqual(nodeCounts('\u001b[34mℹ pass 12\u001b[39m\n\u001b[34mℹ fail 0\u001b[39m\n'), {
    passed: 12,
    failed: 0,
  });
  assert.deepEqual(nodeCounts('nothing ran'), { passed: 0, failed: 0 });
});

test("Karma's TOTAL lines are added up over runs", () => {
  const output = 'Chrome: Executed 3 of 3 SUCCESS\nTOTAL: 3 SUCCESS\n...\nTOTAL: 2 FAILED, 7 SUCCESS\n';
  assert.deepEqual(karmaCounts(output), { passed: 10, failed: 2 });
});

test('suites writing to a pipe are told not to colour; at a terminal, or when FORCE_COLOR is set, nothing changes', () => {
  assert.deepEqual(suiteEnv({ PATH: '/bin' }, false), { PATH: '/bin', NO_COLOR: '1', FORCE_COLOR: '0' });
  assert.deepEqual(suiteEnv({ PATH: '/bin' }, true), { PATH: '/bin' });
  assert.deepEqual(suiteEnv({ FORCE_COLOR: '1' }, false), { FORCE_COLOR: '1' });
});
