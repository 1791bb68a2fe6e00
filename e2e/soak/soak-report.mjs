// The soak's figures turned into verdicts and text: pure functions, table-tested in soak-report.test.mjs.

const MIB = 1024 * 1024;

/** Median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Heap of the longest-lived tab at start and end (medians of the first and last three samples, each after a GC)
 * and whether it grew: more than 20 % plus 1 MiB counts as growth.
 * @param {number[]} samples used heap in bytes, oldest first
 */
export function memoryTrend(samples) {
  if (samples.length === 0) return { start: NaN, end: NaN, grew: true };
  const k = Math.min(3, Math.ceil(samples.length / 2));
  const start = median(samples.slice(0, k));
  const end = median(samples.slice(-k));
  return { start, end, grew: end > start * 1.2 + MIB };
}

/**
 * Heap samples of a tab's first third of life, and at least of its first 20 s, are warm-up, not a trend:
 * the heap grows while code is compiled and caches fill, fast at first and flattening over minutes.
 */
export const HEAP_WARM_UP_MS = 20_000;
/**
 * How far one heap sample after a forced GC may sit from the tab's trend line by chance (measured: the
 * residuals of soak runs stay within about 0.1 MiB; twice that, so that a busy machine does not fail it).
 */
export const HEAP_NOISE_BYTES = 0.25 * MIB;
/** Growth slower than this is not judged a leak however long the run (allocator and JIT noise over hours). */
export const HEAP_SLOPE_FLOOR_BYTES_PER_MIN = 0.02 * MIB;
/** Fewer samples after warm-up than this, or a shorter span, and a tab's slope is not judged. */
const MIN_JUDGED_SAMPLES = 5;
const MIN_JUDGED_SPAN_MS = 20_000;

/**
 * Least-squares line through `points` ([x, y] pairs): its slope, and Sxx (the spread of the x values that
 * the slope's uncertainty shrinks with). Needs two distinct x values.
 */
export function leastSquares(points) {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - meanX) ** 2;
    sxy += (x - meanX) * (y - meanY);
  }
  return { slope: sxy / sxx, sxx };
}

/**
 * The slope above which a tab's heap counts as growing, in bytes per minute: three standard errors of a
 * slope fitted through samples carrying {@link HEAP_NOISE_BYTES} of noise, at the sampled times, and never
 * below {@link HEAP_SLOPE_FLOOR_BYTES_PER_MIN}. It depends only on when the samples were taken, so a short
 * run judges coarsely (about 1 MiB/min for 40 s of samples every 5 s) and a long run finely.
 * @param {number} sxx spread of the sample times in minutes², from {@link leastSquares}
 */
export function heapSlopeLimit(sxx) {
  return Math.max(HEAP_SLOPE_FLOOR_BYTES_PER_MIN, (3 * HEAP_NOISE_BYTES) / Math.sqrt(sxx));
}

/**
 * Each tab incarnation's heap trend: the least-squares slope (bytes per minute) of its samples after warm-up
 * ({@link HEAP_WARM_UP_MS}),
 * the limit it is judged against, and whether it grew. A tab with too few samples after warm-up is listed
 * with `judged: false`.
 * @param {Array<{ tab: number, anchor: boolean, samples: Array<[number, number]> }>} series per tab
 *   incarnation, samples as [ms since the tab (re)loaded, used heap bytes]
 */
export function heapSlopes(series) {
  return series.map(({ tab, anchor, samples }) => {
    const warmUp = Math.max(HEAP_WARM_UP_MS, (samples.at(-1)?.[0] ?? 0) / 3);
    const after = samples.filter(([at]) => at >= warmUp).map(([at, bytes]) => [at / 60_000, bytes]);
    const span = after.length ? (after.at(-1)[0] - after[0][0]) * 60_000 : 0;
    if (after.length < MIN_JUDGED_SAMPLES || span < MIN_JUDGED_SPAN_MS)
      return { tab, anchor, samples: after.length, judged: false };
    const { slope, sxx } = leastSquares(after);
    const limit = heapSlopeLimit(sxx);
    return { tab, anchor, samples: after.length, judged: true, slope, limit, grew: slope > limit };
  });
}

/** One line per judged tab: `tab 0 (first): +0.012 MiB/min (limit 1.16)`. */
export function describeSlopes(slopes) {
  const judged = slopes.filter((s) => s.judged);
  if (judged.length === 0) return 'no tab lived long enough to judge';
  const mibPerMin = (bytes) => `${bytes >= 0 ? '+' : ''}${(bytes / MIB).toFixed(3)}`;
  return judged
    .map(
      (s) =>
        `tab ${s.tab}${s.anchor ? ' (first)' : ''}: ${mibPerMin(s.slope)} MiB/min (limit ${(s.limit / MIB).toFixed(2)})`,
    )
    .join('; ');
}

/**
 * Successful `authorization_code` exchanges after the soak's own sign-in, split into silent heals (a refresh
 * had just failed: the identity-session cookie healed the grant) and restores (a tab opened with no peer).
 * @param {Array<{ at: number, grantType: string, outcome: string }>} tokenLog token-endpoint answers, in order
 * @param {number} windowMs how long after a failed refresh a code exchange still counts as its heal
 */
export function classifyCodeExchanges(tokenLog, windowMs) {
  let heals = 0;
  let restores = 0;
  let lastRefreshFailure = -Infinity;
  for (const entry of tokenLog) {
    if (entry.grantType === 'refresh_token' && entry.outcome !== 'ok') lastRefreshFailure = entry.at;
    if (entry.grantType === 'authorization_code' && entry.outcome === 'ok') {
      if (entry.at - lastRefreshFailure <= windowMs) {
        heals += 1;
        lastRefreshFailure = -Infinity;
      } else restores += 1;
    }
  }
  return { heals, restores };
}

/**
 * Token requests per rotation, not counting the requests an injected fault answered, nor the `invalid_grant`
 * that a fault which let the server rotate (commit-then-drop, a delay past the time limit) makes inevitable.
 */
export function tokenRequestsPerRotation({ requests, rotations, faultAnswered, invalidGrant, rotatingFaults }) {
  if (rotations === 0) return Infinity;
  const explained = faultAnswered + Math.min(invalidGrant, rotatingFaults);
  return (requests - explained) / rotations;
}

/** The pass criteria of the soak, each `{ name, observed, pass }`. */
export function verdicts(figures) {
  const slopes = heapSlopes(figures.heapSeries ?? []);
  return [
    {
      name: '0 forced sign-outs while the identity session lives',
      observed: String(figures.forcedSignOuts),
      pass: figures.forcedSignOuts === 0,
    },
    {
      name: '0 requests lost or answered twice',
      observed: `${figures.apiLost} lost, ${figures.apiDoubled} twice`,
      pass: figures.apiLost === 0 && figures.apiDoubled === 0,
    },
    {
      name: '0 401s reaching the app outside injected faults',
      observed: `${figures.app401Outside} (${figures.app401During} during faults)`,
      pass: figures.app401Outside === 0,
    },
    {
      name: '≤ 1 token request per rotation on average',
      observed: figures.perRotation.toFixed(3),
      pass: figures.perRotation <= 1,
    },
    {
      name: 'no heap growth: least-squares slope after warm-up within its limit, every tab',
      observed: describeSlopes(slopes),
      // the first tab lives the whole run: it must be judged
      pass: slopes.some((s) => s.anchor && s.judged) && slopes.every((s) => !s.grew),
    },
  ];
}

/** At most `n` evenly spaced elements of `list`, the first and the last included. */
export function thin(list, n) {
  if (list.length <= n) return list;
  return Array.from({ length: n }, (_, i) => list[Math.round((i * (list.length - 1)) / (n - 1))]);
}

export function mib(bytes) {
  return (bytes / MIB).toFixed(1);
}

/** Rows of the figures table: [name, value]. */
export function figureRows(f) {
  const memory = memoryTrend(f.heapSamples);
  return [
    ['seed', String(f.seed)],
    ['tabs × minutes', `${f.tabs} × ${f.minutes}`],
    ['access-token lifetime', `${f.ttlSeconds} s`],
    [
      'faults armed (by mode)',
      Object.entries(f.faultsByMode)
        .map(([m, n]) => `${m} ${n}`)
        .join(', ') || '0',
    ],
    ['faults applied at the server', String(f.faultsApplied)],
    ['tab actions (opened / reloaded / closed)', `${f.actions.opened} / ${f.actions.reloaded} / ${f.actions.closed}`],
    ['rotations (refresh 200 + silent heals)', String(f.rotations)],
    ['token requests (after sign-in)', String(f.tokenRequests)],
    ['token requests per rotation (faults excluded)', f.perRotation.toFixed(3)],
    ['token requests per rotation (raw)', (f.tokenRequests / Math.max(1, f.rotations)).toFixed(3)],
    ['invalid_grant answers', String(f.invalidGrant)],
    ['refresh-token reuse detected by the server', String(f.reuseDetected)],
    ['silent heals', String(f.heals)],
    ['restores by the identity-session cookie (new tab, no peer)', String(f.restores)],
    ['forced sign-outs', String(f.forcedSignOuts)],
    ['API calls answered (ok / failed)', `${f.apiOk} / ${f.apiFailed}`],
    [
      'why API calls failed (as the app said)',
      Object.entries(f.apiFailureReasons ?? {})
        .map(([reason, n]) => `${n} × ${reason}`)
        .join('; ') || '-',
    ],
    ['401s that reached the app (outside / during faults)', `${f.app401Outside} / ${f.app401During}`],
    ['API requests lost / answered twice', `${f.apiLost} / ${f.apiDoubled}`],
    ['heap of the longest-lived tab, start → end', `${mib(memory.start)} → ${mib(memory.end)} MiB`],
    ['heap samples (MiB, after GC, at most 12 shown)', thin(f.heapSamples, 12).map(mib).join(' ')],
    ['heap slope after warm-up, per tab', describeSlopes(heapSlopes(f.heapSeries ?? []))],
  ];
}

/** A plain-text table for the terminal. */
export function textTable(rows) {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

/** `N passed, N failed`, one per criterion. */
export function summaryLine(results) {
  const passed = results.filter((r) => r.pass).length;
  return `${passed} passed, ${results.length - passed} failed`;
}

/** docs/soak.md */
export function markdown(figures, results, { command, finishedAt, durationSeconds }) {
  const cell = (text) => String(text).replaceAll('|', '\\|');
  return [
    '# Multi-tab soak',
    '',
    `The latest run of \`${command}\` (finished ${finishedAt}, ${Math.round(durationSeconds)} s, seed ${figures.seed}:`,
    `replay it with \`--seed ${figures.seed}\`). How it works and how to run a long one: \`e2e/soak/README.md\`.`,
    '',
    '| figure | value |',
    '|---|---|',
    ...figureRows(figures).map(([name, value]) => `| ${cell(name)} | ${cell(value)} |`),
    '',
    '| criterion | observed | result |',
    '|---|---|---|',
    ...results.map((r) => `| ${cell(r.name)} | ${cell(r.observed)} | ${r.pass ? 'pass' : '**FAIL**'} |`),
    '',
    summaryLine(results),
    '',
  ].join('\n');
}
