#!/usr/bin/env node
// `npm run soak`: T tabs of the demo in one Chromium context for M minutes, 4-second tokens, every tab polling
// the API, random faults on the token endpoint and tabs opened, reloaded and closed at random (seeded).
// Prints the figures and the criteria, writes <out>.md and <out>.json, exits 1 when a criterion fails.
/* global document, location */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

import { format, resolveConfig } from 'prettier';

import { launchBrowser } from '../support/browser.mjs';
import { REPO_ROOT, startDemoStack } from '../support/demo-stack.mjs';
import { signIn, waitForDesk } from '../support/demo-page.mjs';
import { armFault, disarmFaults, readStats } from '../support/emulator-controls.mjs';
import { waitFor } from '../support/wait-for.mjs';
import { newSeed, pick, seededRandom } from './prng.mjs';
import {
  classifyCodeExchanges,
  figureRows,
  markdown,
  summaryLine,
  textTable,
  tokenRequestsPerRotation,
  verdicts,
} from './soak-report.mjs';

const TOKEN_PATH = '/identity/connect/token';
const TICK_MS = 1000;
const HEAP_EVERY_MS = 5_000;
/** A 401 seen by the app this long after a fault was applied counts as "during faults". */
const FAULT_SHADOW_MS = 15_000;

const { values: args } = parseArgs({
  options: {
    tabs: { type: 'string', default: process.env.SOAK_TABS ?? '4' },
    minutes: { type: 'string', default: process.env.SOAK_MINUTES ?? '2' },
    seed: { type: 'string', default: process.env.SOAK_SEED },
    'faults-per-minute': { type: 'string', default: process.env.SOAK_FAULTS_PER_MINUTE ?? '6' },
    'actions-per-minute': { type: 'string', default: process.env.SOAK_ACTIONS_PER_MINUTE ?? '6' },
    ttl: { type: 'string', default: process.env.SOAK_TTL ?? '4' },
    out: { type: 'string', default: process.env.SOAK_OUT ?? 'docs/soak' },
  },
});
const TABS = Math.max(2, Number(args.tabs));
const MINUTES = Number(args.minutes);
const SEED = args.seed === undefined ? newSeed() : Number(args.seed) >>> 0;
const FAULT_CHANCE = Number(args['faults-per-minute']) / (60_000 / TICK_MS);
const ACTION_CHANCE = Number(args['actions-per-minute']) / (60_000 / TICK_MS);
const TTL_S = Number(args.ttl);
/** The library's time limit per identity request; a `delay` fault waits longer than this. */
const TIMEOUT_MS = 2000;

const random = seededRandom(SEED);
console.log(`soak: ${TABS} tabs × ${MINUTES} min, ${TTL_S} s tokens, seed ${SEED} (replay: --seed ${SEED})`);

/** The faults drawn from, each one request to the token endpoint. */
const FAULTS = [
  { name: '502', spec: { mode: 'html', status: 502 } },
  { name: '503', spec: { mode: 'respond', status: 503, json: { error: 'temporarily_unavailable' } } },
  { name: 'delay past the time limit', spec: { mode: 'delay', ms: TIMEOUT_MS + 1500 }, rotates: true },
  { name: 'drop', spec: { mode: 'drop' } },
  { name: '429 Retry-After 1', spec: { mode: 'rate-limit', retryAfter: '1' } },
  { name: 'commit-then-drop', spec: { mode: 'commit-then-drop' }, rotates: true },
];

/** In the tab: what the app shows (its API panel's counts, the endings in its activity log). */
function readTab() {
  const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent;
  const counts = document.querySelector('[data-testid="api-counts"]');
  const endings = [...document.querySelectorAll('[data-testid="activity"] li')]
    .filter((li) => li.dataset.type === 'sessionExpired' || li.dataset.type === 'signedOut')
    .map((li) => `${li.dataset.type}|${li.textContent.trim()}`);
  return {
    path: location.pathname,
    panel: counts
      ? {
          ok: Number(text('api-ok')),
          failed: Number(text('api-failed')),
          unauthorized: Number(text('api-401')),
          started: Number(counts.dataset.started),
          inFlight: counts.dataset.inFlight === 'true',
          failure: text('api-failure') ?? '',
        }
      : undefined,
    endings,
  };
}

const stack = await startDemoStack({
  accessTokenTtl: TTL_S,
  pollMs: 1000,
  timeoutMs: TIMEOUT_MS,
  refresh: { minLeadMs: 1000 },
  emulator: { quiet: true }, // a dropped connection is the point, not news
});
const browser = await launchBrowser();
const context = await browser.newContext();

// what the network saw
const tokenLog = [];
let signedInAt = Infinity;
context.on('requestfinished', async (request) => {
  if (!request.url().endsWith(TOKEN_PATH)) return;
  const grantType = new URLSearchParams(request.postData() ?? '').get('grant_type');
  const response = await request.response().catch(() => null);
  const status = response?.status() ?? 0;
  let outcome = status === 200 ? 'ok' : `status ${status}`;
  if (status === 400) {
    const body = await response.json().catch(() => ({}));
    outcome = body.error ?? outcome;
  }
  tokenLog.push({ at: Date.now(), grantType, outcome });
});
context.on('requestfailed', (request) => {
  if (!request.url().endsWith(TOKEN_PATH)) return;
  const grantType = new URLSearchParams(request.postData() ?? '').get('grant_type');
  tokenLog.push({ at: Date.now(), grantType, outcome: 'no answer' });
});

// the tabs: each incarnation (a reload starts a new one) is counted on its own
let nextId = 0;
const tabs = [];
const totals = { started: 0, answered: 0, ok: 0, failed: 0, lost: 0, doubled: 0 };
const app401 = { outside: 0, during: 0 };
/** What the app's API panel said when calls failed, by message. */
const apiFailureReasons = {};
let forcedSignOuts = 0;
const forcedDetails = [];
let lastFaultAppliedAt = -Infinity;
let faultsApplied = 0;

/** Every tab incarnation's heap samples, [ms since it began, used bytes after a GC]. */
const heapSeries = [];

function newIncarnation(tab) {
  tab.id = nextId++;
  tab.began = Date.now();
  tab.heap = { tab: tab.id, anchor: tab.anchor, samples: [] };
  heapSeries.push(tab.heap);
  tab.last = undefined;
  tab.endings = new Set();
  tab.signedOut = false;
}

async function openTab(anchor = false) {
  const tab = { page: await context.newPage(), anchor, errors: [] };
  tab.page.on('pageerror', (error) => tab.errors.push(error.message));
  newIncarnation(tab);
  tab.cdp = await context.newCDPSession(tab.page);
  tabs.push(tab);
  if (anchor) {
    await signIn(tab.page, stack.url);
    return tab;
  }
  await tab.page.goto(`${stack.url}/desk`);
  await reachDesk(tab);
  return tab;
}

async function reachDesk(tab) {
  try {
    await waitForDesk(tab.page, 15_000);
  } catch {
    await sample(tab);
    if (!tab.signedOut) noteForcedSignOut(tab, `tab ${tab.id} never reached the desk (${tab.page.url()})`);
  }
}

function noteForcedSignOut(tab, detail) {
  tab.signedOut = true;
  forcedSignOuts += 1;
  forcedDetails.push(`${new Date().toISOString()} ${detail}`);
  console.log(`soak: FORCED SIGN-OUT: ${detail}`);
}

/** Reads a tab and folds what changed into the figures. */
async function sample(tab) {
  let seen;
  try {
    seen = await tab.page.evaluate(readTab);
  } catch {
    return; // mid-navigation: the next tick reads it
  }
  for (const ending of seen.endings) {
    if (tab.endings.has(ending)) continue;
    tab.endings.add(ending);
    if (!tab.signedOut) noteForcedSignOut(tab, `tab ${tab.id}: ${ending}`);
  }
  if (seen.path === '/sign-in' && !tab.signedOut) noteForcedSignOut(tab, `tab ${tab.id} shows the sign-in page`);
  if (!seen.panel) return;
  const new401 = seen.panel.unauthorized - (tab.last?.unauthorized ?? 0);
  if (new401 > 0) {
    if (Date.now() - lastFaultAppliedAt <= FAULT_SHADOW_MS) app401.during += new401;
    else app401.outside += new401;
  }
  const newFailures = seen.panel.failed - (tab.last?.failed ?? 0);
  if (newFailures > 0) {
    const reason = seen.panel.failure.trim() || 'cleared before it was read';
    apiFailureReasons[reason] = (apiFailureReasons[reason] ?? 0) + newFailures;
  }
  tab.last = seen.panel;
}

/** Folds a tab's last counts into the totals, before it goes away or reloads. */
async function retire(tab) {
  await sample(tab);
  const last = tab.last;
  if (!last) return;
  const answered = last.ok + last.failed;
  totals.started += last.started;
  totals.answered += answered;
  totals.ok += last.ok;
  totals.failed += last.failed;
  totals.lost += Math.max(0, last.started - answered - (last.inFlight ? 1 : 0));
  totals.doubled += Math.max(0, answered - last.started);
}

const actions = { opened: 0, reloaded: 0, closed: 0 };
async function randomAction() {
  const others = tabs.filter((tab) => !tab.anchor);
  const choices = [];
  if (tabs.length < TABS) choices.push('open');
  if (others.length > 0) choices.push('reload');
  if (others.length > 0 && tabs.length > 2) choices.push('close');
  const action = pick(random, choices);
  if (action === 'open') {
    actions.opened += 1;
    await openTab();
  } else {
    const tab = pick(random, others);
    await retire(tab);
    if (action === 'close') {
      actions.closed += 1;
      tabs.splice(tabs.indexOf(tab), 1);
      await tab.page.close();
    } else {
      actions.reloaded += 1;
      newIncarnation(tab);
      await tab.page.reload();
      await reachDesk(tab);
    }
  }
}

const faultsByMode = {};
const armed = [];
async function maybeArmFault() {
  const stats = await readStats(stack.url);
  if (stats.faultsApplied > faultsApplied) {
    faultsApplied = stats.faultsApplied;
    lastFaultAppliedAt = Date.now();
  }
  if (armed.length > faultsApplied || random() >= FAULT_CHANCE) return; // one armed at a time
  const fault = pick(random, FAULTS);
  await armFault(stack.url, { path: TOKEN_PATH, count: 1, ...fault.spec });
  armed.push(fault);
  faultsByMode[fault.name] = (faultsByMode[fault.name] ?? 0) + 1;
}

async function heapUsed(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

/** One heap sample of every tab, into its incarnation's series. */
async function sampleHeaps() {
  for (const tab of tabs) {
    const at = Date.now() - tab.began;
    const bytes = await heapUsed(tab.cdp).catch(() => undefined); // mid-navigation: the next round reads it
    if (bytes !== undefined) tab.heap.samples.push([at, bytes]);
  }
}

const runStarted = Date.now();
const anchor = await openTab(true);
signedInAt = Date.now();
for (let i = 1; i < TABS; i++) await openTab();
const cdp = anchor.cdp;
const heapSamples = [await heapUsed(cdp)];

const endAt = Date.now() + MINUTES * 60_000;
let nextHeapAt = Date.now() + HEAP_EVERY_MS;
let nextReportAt = Date.now() + 60_000;
while (Date.now() < endAt) {
  const tickStarted = Date.now();
  await maybeArmFault();
  if (random() < ACTION_CHANCE) await randomAction();
  for (const tab of tabs) await sample(tab);
  if (Date.now() >= nextHeapAt) {
    await sampleHeaps();
    heapSamples.push(anchor.heap.samples.at(-1)?.[1] ?? (await heapUsed(cdp)));
    nextHeapAt += HEAP_EVERY_MS;
  }
  if (Date.now() >= nextReportAt) {
    nextReportAt += 60_000;
    const minute = Math.round((Date.now() - runStarted) / 60_000);
    console.log(
      `soak: ${minute} min: ${tabs.length} tabs, ${armed.length} faults armed, ${forcedSignOuts} forced sign-outs`,
    );
  }
  // the loop's pace, not a wait for a condition
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, TICK_MS - (Date.now() - tickStarted))));
}

// quiet down: no more faults; let every tab's last call come back, then read everything once more
await disarmFaults(stack.url);
await waitFor(
  async () => {
    const seen = await Promise.all(tabs.map((tab) => tab.page.evaluate(readTab).catch(() => undefined)));
    return seen.every((s) => s?.panel && !s.panel.inFlight);
  },
  { timeoutMs: 20_000, message: 'every tab with no API call in flight' },
).catch((error) => console.log(`soak: ${error.message}`));
await sampleHeaps();
heapSamples.push(anchor.heap.samples.at(-1)[1]);
for (const tab of tabs) await retire(tab);
const stats = await readStats(stack.url);
faultsApplied = stats.faultsApplied;
const pageErrors = tabs.flatMap((tab) => tab.errors);
await browser.close();
await stack.close();

// answers are logged once their bodies are read, which can finish out of order
const afterSignIn = tokenLog.filter((entry) => entry.at > signedInAt).sort((a, b) => a.at - b.at);
const { heals, restores } = classifyCodeExchanges(afterSignIn, 20_000);
const refreshOk = afterSignIn.filter((e) => e.grantType === 'refresh_token' && e.outcome === 'ok').length;
const invalidGrant = afterSignIn.filter((e) => e.outcome === 'invalid_grant').length;
const restoreRequests = restores; // a restore's exchange is not a rotation and not a request per rotation
const appliedFaults = armed.slice(0, faultsApplied);
const figures = {
  seed: SEED,
  tabs: TABS,
  minutes: MINUTES,
  ttlSeconds: TTL_S,
  faultsByMode,
  faultsApplied,
  actions,
  rotations: refreshOk + heals,
  tokenRequests: afterSignIn.length - restoreRequests,
  perRotation: tokenRequestsPerRotation({
    requests: afterSignIn.length - restoreRequests,
    rotations: refreshOk + heals,
    faultAnswered: faultsApplied,
    invalidGrant,
    rotatingFaults: appliedFaults.filter((f) => f.rotates).length,
  }),
  invalidGrant,
  reuseDetected: stats.refreshReuseDetected,
  heals,
  restores,
  forcedSignOuts,
  forcedDetails,
  apiOk: totals.ok,
  apiFailed: totals.failed,
  apiStarted: totals.started,
  apiFailureReasons,
  app401Outside: app401.outside,
  app401During: app401.during,
  apiLost: totals.lost,
  apiDoubled: totals.doubled,
  serverApi: stats.api,
  serverTokenRequests: stats.tokenRequests,
  heapSamples,
  heapSeries,
  pageErrors,
};
const results = verdicts(figures);
const durationSeconds = (Date.now() - runStarted) / 1000;

console.log(`\n${textTable(figureRows(figures))}\n`);
for (const r of results) console.log(`${r.pass ? 'pass' : 'FAIL'}  ${r.name}: ${r.observed}`);
if (forcedDetails.length) console.log(`forced sign-outs:\n  ${forcedDetails.join('\n  ')}`);

const out = join(REPO_ROOT, args.out);
mkdirSync(dirname(out), { recursive: true });
const command = `npm run soak -- --tabs ${TABS} --minutes ${MINUTES}`;
writeFileSync(
  `${out}.md`,
  markdown(figures, results, { command, finishedAt: new Date().toISOString(), durationSeconds }),
);
// formatted as the repository's lint expects, since docs/soak.json is committed
const json = JSON.stringify({ figures, results, durationSeconds });
writeFileSync(`${out}.json`, await format(json, { ...(await resolveConfig(`${out}.json`)), parser: 'json' }));
console.log(`\nsoak: wrote ${relative(REPO_ROOT, out)}.md and .json`);
console.log(summaryLine(results));
process.exit(results.every((r) => r.pass) ? 0 : 1);
