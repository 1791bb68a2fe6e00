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
  const memory = memoryTrend(figures.heapSamples);
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
      name: 'no memory growth trend (longest-lived tab)',
      observed: `${mib(memory.start)} → ${mib(memory.end)} MiB`,
      pass: !memory.grew,
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
