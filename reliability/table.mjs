// The fault matrix as text: one row per case, in catalogue order, with the rows
// no suite reported marked as such and counted as failed.
import { CASES } from './catalogue.mjs';

/** Merges reported rows (possibly several per case: browser and Node) into one row per catalogue case. */
export function matrixRows(reported) {
  return CASES.map(([id, name]) => {
    const rows = reported.filter((row) => row.id === id);
    if (rows.length === 0) {
      return {
        id,
        name,
        where: '—',
        expected: '—',
        observed: 'not driven: no suite reported this case',
        passed: false,
      };
    }
    const observed = rows.flatMap((row) => {
      const lines = row.observed?.length ? row.observed : [];
      if (row.skipped) return lines.length ? lines : ['pending (no reason recorded)'];
      if (!row.passed && row.failures?.length) return [...lines, `FAILED: ${row.failures[0]}`];
      return lines;
    });
    return {
      id,
      name: rows.map((row) => row.title).join(' / '),
      where: [...new Set(rows.map((row) => row.where))].join(' + '),
      expected: rows[0].expected ?? '—',
      observed: observed.join('; ') || '(nothing recorded)',
      passed: rows.every((row) => row.passed && !row.skipped),
    };
  });
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown table and the closing `N passed, N failed` line. */
export function renderMatrix(rows) {
  const lines = [
    '| # | case | where | expected | observed | result |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.id} | ${cell(row.name)} | ${row.where} | ${cell(row.expected)} | ${cell(row.observed)} | ${
          row.passed ? 'pass' : '**FAIL**'
        } |`,
    ),
  ];
  const passed = rows.filter((row) => row.passed).length;
  return { table: lines.join('\n'), summary: `${passed} passed, ${rows.length - passed} failed` };
}
