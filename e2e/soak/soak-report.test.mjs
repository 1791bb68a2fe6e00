// The soak's arithmetic, table-tested: the PRNG replays, the verdicts follow the figures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { seededRandom } from './prng.mjs';
import {
  classifyCodeExchanges,
  memoryTrend,
  summaryLine,
  thin,
  tokenRequestsPerRotation,
  verdicts,
} from './soak-report.mjs';

const MIB = 1024 * 1024;

describe('soak: seeded PRNG', () => {
  it('replays the same sequence for the same seed and another for another seed', () => {
    const draw = (seed) => Array.from({ length: 5 }, seededRandom(seed));
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    for (const n of draw(123)) assert.ok(n >= 0 && n < 1);
  });
});

describe('soak: memory trend', () => {
  for (const [name, samples, grew] of [
    ['flat', [10, 10.2, 9.9, 10.1, 10, 10.1].map((m) => m * MIB), false],
    ['noise within 1 MiB on a small heap', [3.5, 3.8, 3.9, 4.2, 4.1, 4.2].map((m) => m * MIB), false],
    ['doubling', [10, 11, 12, 16, 18, 20].map((m) => m * MIB), true],
    ['no samples', [], true],
  ]) {
    it(`${name}: grew = ${grew}`, () => assert.equal(memoryTrend(samples).grew, grew));
  }
});

describe('soak: code exchanges after sign-in', () => {
  it('a code exchange right after a failed refresh is a heal; one on its own is a restore', () => {
    const log = [
      { at: 0, grantType: 'refresh_token', outcome: 'ok' },
      { at: 1000, grantType: 'refresh_token', outcome: 'invalid_grant' },
      { at: 1500, grantType: 'authorization_code', outcome: 'ok' },
      { at: 60_000, grantType: 'authorization_code', outcome: 'ok' },
      { at: 70_000, grantType: 'refresh_token', outcome: 'no answer' },
      { at: 71_000, grantType: 'authorization_code', outcome: 'status 502' },
      { at: 72_000, grantType: 'authorization_code', outcome: 'ok' },
    ];
    assert.deepEqual(classifyCodeExchanges(log, 20_000), { heals: 2, restores: 1 });
  });
});

describe('soak: token requests per rotation', () => {
  for (const [name, input, expected] of [
    [
      'one request per rotation',
      { requests: 10, rotations: 10, faultAnswered: 0, invalidGrant: 0, rotatingFaults: 0 },
      1,
    ],
    [
      'faulted requests and the invalid_grant a commit-then-drop causes are not counted',
      { requests: 14, rotations: 10, faultAnswered: 3, invalidGrant: 1, rotatingFaults: 1 },
      1,
    ],
    [
      'an invalid_grant no fault explains is counted',
      { requests: 12, rotations: 10, faultAnswered: 0, invalidGrant: 2, rotatingFaults: 0 },
      1.2,
    ],
    [
      'no rotation at all',
      { requests: 3, rotations: 0, faultAnswered: 0, invalidGrant: 0, rotatingFaults: 0 },
      Infinity,
    ],
  ]) {
    it(name, () => assert.equal(tokenRequestsPerRotation(input), expected));
  }
});

describe('soak: verdicts', () => {
  const good = {
    forcedSignOuts: 0,
    apiLost: 0,
    apiDoubled: 0,
    app401Outside: 0,
    app401During: 2,
    perRotation: 1,
    heapSamples: [4, 4, 4, 4].map((m) => m * MIB),
  };
  it('a clean run passes all five criteria', () => {
    const results = verdicts(good);
    assert.equal(results.length, 5);
    assert.equal(summaryLine(results), '5 passed, 0 failed');
  });
  for (const [name, change] of [
    ['a forced sign-out', { forcedSignOuts: 1 }],
    ['a lost request', { apiLost: 1 }],
    ['a request answered twice', { apiDoubled: 1 }],
    ['a 401 outside faults', { app401Outside: 1 }],
    ['more than one token request per rotation', { perRotation: 1.01 }],
    ['a growing heap', { heapSamples: [4, 4, 4, 9, 9, 9].map((m) => m * MIB) }],
  ]) {
    it(`${name} fails exactly one criterion`, () => {
      assert.equal(summaryLine(verdicts({ ...good, ...change })), '4 passed, 1 failed');
    });
  }
});

describe('soak: thin', () => {
  it('keeps the first and the last, evenly spaced', () => {
    assert.deepEqual(thin([1, 2, 3], 5), [1, 2, 3]);
    assert.deepEqual(thin([0, 1, 2, 3, 4, 5, 6, 7, 8], 3), [0, 4, 8]);
  });
});
