// The public surface of the built package is the one committed in
// projects/identity-auth/api/*.api.md: a change of it fails here, with the diff, until
// the reports are refreshed with `npm run api:update` (and so shows in review).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ENTRY_POINTS, builtReports, lineDiff, surfaceChanges } from '../api-report.mjs';

test('the built .d.ts of each entry point matches its committed API report', () => {
  const reports = builtReports();
  assert.deepEqual(
    reports.map((r) => r.entry),
    ENTRY_POINTS.map((p) => p.entry),
  );
  const changes = surfaceChanges(reports);
  const message = changes
    .map(({ entry, report, diff }) => `"${entry}" differs from projects/identity-auth/api/${report}:\n${diff}`)
    .join('\n\n');
  assert.equal(changes.length, 0, `${message}\n\nIf the change is meant, run \`npm run api:update\` and commit it.`);
});

test('the diff shows what was removed and what was added, with context', () => {
  const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n');
  const after = ['a', 'b', 'c', 'X', 'e', 'f', 'g', 'h'].join('\n');
  assert.equal(lineDiff(before, after), ['  …', '  b', '  c', '- d', '+ X', '  e', '  f', '  …'].join('\n'));
});
