// Karma for the fault matrix's browser cases: the workspace's karma.conf.js (headless
// Chromium, the emulator proxied onto the page's origin) plus a reporter that pairs
// each case's recorded observation with its Jasmine verdict and writes them as JSON
// for reliability/fault-matrix.mjs to print.
const { writeFileSync } = require('node:fs');

const base = require('../karma.conf.js');

const ROW_PREFIX = 'FAULT-MATRIX-ROW ';

/** The case id a spec names in its description: `[12] …` → `12`. */
function caseId(description) {
  return /^\[([^\]]+)\]/.exec(description)?.[1];
}

function FaultMatrixReporter() {
  const observations = new Map();
  const verdicts = new Map();
  this.onBrowserLog = (_browser, log) => {
    // Karma quotes logged strings: 'FAULT-MATRIX-ROW {…}'
    const text = String(log).replace(/^'|'$/g, '');
    if (!text.startsWith(ROW_PREFIX)) return;
    const row = JSON.parse(text.slice(ROW_PREFIX.length));
    observations.set(row.id, row);
  };
  this.onSpecComplete = (_browser, result) => {
    const id = caseId(result.description);
    if (!id) return;
    verdicts.set(id, {
      title: result.description.replace(/^\[[^\]]+\]\s*/, ''),
      passed: result.success && !result.skipped,
      skipped: Boolean(result.skipped || result.pending),
      failures: (result.log ?? []).map((line) => String(line).split('\n')[0]),
      ms: result.time,
    });
  };
  this.onRunComplete = () => {
    const out = process.env.FAULT_MATRIX_OUT;
    if (!out) return;
    const rows = [...verdicts].map(([id, verdict]) => ({ id, ...observations.get(id), ...verdict }));
    writeFileSync(out, JSON.stringify(rows, null, 2));
  };
}

module.exports = function (config) {
  base(config);
  config.set({
    plugins: [...config.plugins, { 'reporter:fault-matrix': ['type', FaultMatrixReporter] }],
    reporters: ['progress', 'fault-matrix'],
    // the rows travel as console lines; the terminal gets the table instead
    browserConsoleLogOptions: { level: 'log', terminal: false },
  });
};
