// karma.conf.js: a person at a terminal gets Karma's progress bar; npm test, whose
// output is a pipe, gets plain lines without escape codes and with the TOTAL line.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { karmaCounts } from '../test-report.mjs';

const require = createRequire(import.meta.url);
const karmaConf = require('../../karma.conf.js');
const BaseReporter = require('karma/lib/reporters/base');

function configFor(isTTY) {
  const saved = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  Object.defineProperty(process.stdout, 'isTTY', { value: isTTY, configurable: true });
  try {
    let settings;
    karmaConf({ set: (s) => (settings = s) });
    return settings;
  } finally {
    if (saved) Object.defineProperty(process.stdout, 'isTTY', saved);
    else delete process.stdout.isTTY;
  }
}

test('not a terminal: the plain reporter and no colours', () => {
  const settings = configFor(undefined);
  assert.deepEqual(settings.reporters, ['plain']);
  assert.equal(settings.colors, false);
  assert.ok(
    settings.plugins.some((p) => p['reporter:plain']),
    'the plain reporter is registered',
  );
});

test("a terminal: Karma's progress reporter with colours", () => {
  const settings = configFor(true);
  assert.deepEqual(settings.reporters, ['progress']);
  assert.equal(settings.colors, true);
});

test("the plain reporter (on Karma's own base reporter) writes failures, one browser line and the TOTAL, no escape codes", () => {
  let written = '';
  const decorate = (self) =>
    BaseReporter.call(
      self,
      (error, indent) => `${indent}${error}\n`,
      0,
      false,
      undefined,
      (msg) => {
        written += msg;
      },
    );
  const reporter = new karmaConf.PlainReporter(decorate);
  const browser = {
    toString: () => 'Chrome Headless 1.0 (Linux x86_64)',
    isConnected: true,
    lastResult: { success: 2, failed: 1, skipped: 0, total: 3, totalTime: 120, netTime: 100 },
  };
  reporter.onRunStart();
  reporter.onBrowserStart(browser);
  for (const [description, success] of [
    ['signs in', true],
    ['refreshes', true],
    ['signs out', false],
  ]) {
    reporter.onSpecComplete(browser, {
      suite: ['IdentityAuth'],
      description,
      success,
      skipped: false,
      time: 1,
      log: success ? [] : ['Expected 401 to be 204.'],
    });
  }
  reporter.onBrowserComplete(browser);
  reporter.onRunComplete([browser], { success: 2, failed: 1, error: false, disconnected: false });

  assert.equal(written.includes('\u001b'), false, `no escape codes in ${JSON.stringify(written)}`);
  assert.match(written, /IdentityAuth signs out FAILED\n\tExpected 401 to be 204\.\n/);
  assert.match(written, /Chrome Headless 1\.0 \(Linux x86_64\): Executed 3 of 3 \(1 FAILED\)/);
  assert.equal(written.split('\n').filter((line) => line.startsWith('TOTAL:')).length, 1);
  assert.deepEqual(karmaCounts(written), { passed: 2, failed: 1 });
});
