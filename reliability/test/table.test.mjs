// The matrix's bookkeeping: every catalogue case is a row, unreported and pending cases
// fail, and the closing line counts what the rows say.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CASES } from '../catalogue.mjs';
import { matrixRows, renderMatrix } from '../table.mjs';

const row = (id, fields = {}) => ({
  id,
  title: `case ${id}`,
  expected: 'e',
  observed: [`seen ${id}`],
  passed: true,
  where: 'Chromium',
  ...fields,
});

test('every catalogue case is a row, in order; an unreported one fails and says so', () => {
  const rows = matrixRows([row('2')]);
  assert.deepEqual(
    rows.map((r) => r.id),
    CASES.map(([id]) => id),
  );
  assert.equal(rows[1].passed, true);
  assert.equal(rows[0].passed, false);
  assert.match(rows[0].observed, /not driven/);
});

test('a pending (skipped) case fails with its recorded reason; a failed one shows its first failure', () => {
  const [pendingRow, failedRow] = matrixRows([
    row('1', { passed: false, skipped: true, observed: ['timeout', 'pending, library bug: x'] }),
    row('2', { passed: false, failures: ['Expected 1 to be 2.'] }),
  ]);
  assert.equal(pendingRow.passed, false);
  assert.equal(pendingRow.observed, 'timeout; pending, library bug: x');
  assert.equal(failedRow.passed, false);
  assert.equal(failedRow.observed, 'seen 2; FAILED: Expected 1 to be 2.');
});

test('rows of one case from Chromium and Node merge; it passes only when both did', () => {
  const [merged] = matrixRows([row('1'), row('1', { where: 'Node', passed: false, observed: ['node'] })]);
  assert.equal(merged.where, 'Chromium + Node');
  assert.equal(merged.passed, false);
  assert.equal(merged.observed, 'seen 1; node');
});

test('the table escapes pipes and ends with the counts', () => {
  const { table, summary } = renderMatrix(matrixRows([row('1', { observed: ['a | b'] })]));
  assert.match(table, /a \\\| b/);
  assert.equal(summary, `1 passed, ${CASES.length - 1} failed`);
});
