// The soak's arithmetic, table-tested: the PRNG replays, the verdicts follow the figures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { seededRandom } from './prng.mjs';
import {
  classifyCodeExchanges,
  HEAP_SLOPE_FLOOR_BYTES_PER_MIN,
  heapSlopeLimit,
  heapSlopes,
  leastSquares,
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

/** A tab's samples every 5 s for `seconds`, the heap at `mib(t)` (t in seconds). */
function series(seconds, mibAt, { tab = 0, anchor = true } = {}) {
  const samples = [];
  for (let t = 0; t <= seconds; t += 5) samples.push([t * 1000, mibAt(t) * MIB]);
  return { tab, anchor, samples };
}
/** Deterministic noise of ±0.1 MiB. */
const wobble = (t) => 0.1 * Math.sin(t * 1.7);

describe('soak: heap slope', () => {
  it('least squares finds the slope of a line and of a noisy line', () => {
    assert.equal(
      leastSquares([
        [0, 1],
        [1, 3],
        [2, 5],
      ]).slope,
      2,
    );
    const { slope } = leastSquares(series(60, (t) => 4 + t / 60 + wobble(t)).samples.map(([x, y]) => [x, y / MIB]));
    assert.ok(Math.abs(slope * 60_000 - 1) < 0.2, `slope ${slope * 60_000} MiB/min`);
  });

  it('the limit shrinks with a longer run and never falls below the floor', () => {
    const minute = leastSquares(
      series(60, () => 0)
        .samples.filter(([t]) => t >= 20_000)
        .map(([t, y]) => [t / 60_000, y]),
    );
    const hour = leastSquares(series(3600, () => 0).samples.map(([t, y]) => [t / 60_000, y]));
    assert.ok(heapSlopeLimit(minute.sxx) > 0.9 * MIB && heapSlopeLimit(minute.sxx) < 1.5 * MIB);
    assert.equal(heapSlopeLimit(hour.sxx), HEAP_SLOPE_FLOOR_BYTES_PER_MIN);
  });

  for (const [name, tab, grew] of [
    ['flat with noise, one minute', series(60, (t) => 4 + wobble(t)), false],
    ['warm-up growth, then flat', series(60, (t) => (t < 20 ? 3 + t / 10 : 5) + wobble(t)), false],
    ['2 MiB per minute, one minute', series(60, (t) => 4 + (2 * t) / 60 + wobble(t)), true],
    ['0.1 MiB per minute over half an hour', series(1800, (t) => 4 + (0.1 * t) / 60 + wobble(t)), true],
    ['0.01 MiB per minute over half an hour', series(1800, (t) => 4 + (0.01 * t) / 60 + wobble(t)), false],
  ]) {
    it(`${name}: grew = ${grew}`, () => {
      const [slope] = heapSlopes([tab]);
      assert.equal(slope.judged, true);
      assert.equal(slope.grew, grew);
    });
  }

  it('a tab that lived too briefly after warm-up is not judged', () => {
    assert.deepEqual(heapSlopes([series(35, () => 4, { tab: 3, anchor: false })]), [
      { tab: 3, anchor: false, samples: 4, judged: false },
    ]);
  });
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
    heapSeries: [series(60, (t) => 4 + wobble(t)), series(60, () => 5, { tab: 1, anchor: false })],
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
    ['a growing heap in the first tab', { heapSeries: [series(60, (t) => 4 + (3 * t) / 60)] }],
    [
      'a growing heap in another tab',
      { heapSeries: [series(60, () => 4), series(60, (t) => 4 + (3 * t) / 60, { tab: 1, anchor: false })] },
    ],
    ['no judged sample of the first tab', { heapSeries: [series(15, () => 4)] }],
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
