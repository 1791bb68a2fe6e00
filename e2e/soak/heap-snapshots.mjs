#!/usr/bin/env node
// Heap snapshots of long-lived demo tabs, compared by constructor: what the heap keeps per token rotation,
// per API request or per cross-tab message. A diagnostic run by hand, not part of `npm test`.
//
//   node e2e/soak/heap-snapshots.mjs [--tabs 2] [--ttl 3] [--at 2,7,12] [--probe-ms 0] [--faults-per-minute 0]
//                                    [--churn] [--seed 1] [--out e2e/out/heap]
//   node e2e/soak/heap-snapshots.mjs --compare a.heapsnapshot b.heapsnapshot [--rotations N]
//
// The first form starts the demo stack (its production build, dist/demo: a leak must show in what ships) with
// short tokens and every tab polling the API every second, signs in in the first tab, opens the others, and at
// each minute of `--at` forces a GC in every tab (CDP `HeapProfiler.collectGarbage`) and writes its snapshot
// (`HeapProfiler.takeHeapSnapshot`) to `<out>/tab<i>-min<m>.heapsnapshot`, along with the rotations and API
// calls seen so far, the tab's DOM counters and its used JS heap (`Runtime.getHeapUsage`, what the soak samples).
// It then compares each tab's first and last snapshot (printing the middle ones' counts too, which tell steady
// growth from a cache filling up) and writes `<out>/summary.json`.
//
// - `--probe-ms N`: the first tab is also read every N ms by `page.evaluate`, as the soak reads every tab every
//   second, and the others are not: what the reading itself leaves in a page shows as a difference between them.
// - `--faults-per-minute N`: the soak's faults on the token endpoint (one armed at a time, seeded by `--seed`),
//   so that heals, backoffs and retry clocks run too.
// - `--churn`: one more tab, reloaded or closed and opened again about every 20 s (restores, hello and state
//   messages); it is never snapshotted.
//
// A production build mangles class names: a constructor is shown with the property names its instances carry,
// which the engine's sources name (`presented`, `lost`, `held`, …). JWT-shaped strings (access and ID tokens)
// are counted apart: a tab that keeps every token it ever had keeps more of them at each snapshot. Retained
// sizes come from the dominator tree; a constructor's retained size counts each of its instances that no
// other instance of it dominates, as DevTools does.
//
// Growth that is not the app's: DevTools' network records (`blink::NetworkResourcesData::Resource`, one per
// request while Playwright watches the network) and console messages (`blink::ConsoleMessage`, one per failed
// request), the browser's performance-timeline buffers (resource timing up to 250, layout shifts, long
// animation frames), and V8's code and optimisation metadata (`(code)`, `system / WeakArrayList`), which rise
// and fall as functions are optimised and their bytecode flushed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { launchBrowser } from '../support/browser.mjs';
import { REPO_ROOT, startDemoStack } from '../support/demo-stack.mjs';
import { signIn, waitForDesk } from '../support/demo-page.mjs';
import { armFault, disarmFaults, readStats } from '../support/emulator-controls.mjs';
import { pick, seededRandom } from './prng.mjs';

const TOKEN_PATH = '/identity/connect/token';
const JWT_PREFIX = 'eyJ';
/** The library's time limit per identity request in this run; a `delay` fault waits longer. */
const TIMEOUT_MS = 2000;
/** The soak's faults, each one answer of the token endpoint. */
const FAULTS = [
  { mode: 'html', status: 502 },
  { mode: 'respond', status: 503, json: { error: 'temporarily_unavailable' } },
  { mode: 'delay', ms: TIMEOUT_MS + 1500 },
  { mode: 'drop' },
  { mode: 'rate-limit', retryAfter: '1' },
  { mode: 'commit-then-drop' },
];

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tabs: { type: 'string', default: '2' },
    ttl: { type: 'string', default: '3' },
    at: { type: 'string', default: '2,7,12' },
    out: { type: 'string', default: 'e2e/out/heap' },
    top: { type: 'string', default: '20' },
    compare: { type: 'boolean', default: false },
    rotations: { type: 'string' },
    'probe-ms': { type: 'string', default: '0' },
    'faults-per-minute': { type: 'string', default: '0' },
    churn: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
  },
});

// ---- parsing a .heapsnapshot -----------------------------------------------------------------------------

/**
 * A snapshot's graph in flat arrays: per node its type, name, self size and first edge; per edge its type,
 * name and target node (an index, not the offset the file stores).
 */
export function parseSnapshot(json) {
  const { snapshot, nodes, edges, strings } = json;
  const {
    node_fields: nodeFields,
    edge_fields: edgeFields,
    node_types: nodeTypes,
    edge_types: edgeTypes,
  } = snapshot.meta;
  const nf = nodeFields.length;
  const ef = edgeFields.length;
  const field = (fields, name) => fields.indexOf(name);
  const [nType, nName, nSize, nEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) => field(nodeFields, f));
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => field(edgeFields, f));
  const count = nodes.length / nf;
  const graph = {
    count,
    strings,
    nodeTypeNames: nodeTypes[nType],
    edgeTypeNames: edgeTypes[eType],
    type: new Uint8Array(count),
    name: new Uint32Array(count),
    size: new Float64Array(count),
    firstEdge: new Uint32Array(count + 1),
    edgeType: new Uint8Array(edges.length / ef),
    edgeName: new Uint32Array(edges.length / ef),
    edgeTo: new Uint32Array(edges.length / ef),
  };
  let edge = 0;
  for (let i = 0; i < count; i++) {
    const at = i * nf;
    graph.type[i] = nodes[at + nType];
    graph.name[i] = nodes[at + nName];
    graph.size[i] = nodes[at + nSize];
    graph.firstEdge[i] = edge;
    edge += nodes[at + nEdges];
  }
  graph.firstEdge[count] = edge;
  for (let e = 0; e < graph.edgeTo.length; e++) {
    graph.edgeType[e] = edges[e * ef + eType];
    graph.edgeName[e] = edges[e * ef + eName];
    graph.edgeTo[e] = edges[e * ef + eTo] / nf;
  }
  return graph;
}

/**
 * Immediate dominators from node 0 (the snapshot's root), weak edges left out (Cooper, Harvey and Kennedy's
 * iterative algorithm over reverse post-order). Unreachable nodes keep -1.
 */
export function dominators(graph) {
  const { count, firstEdge, edgeTo, edgeType, edgeTypeNames } = graph;
  const weak = edgeTypeNames.indexOf('weak');
  const strong = (e) => edgeType[e] !== weak;
  // post-order, iteratively
  const order = new Int32Array(count).fill(-1); // node → post-order number
  const byOrder = [];
  const stack = [0];
  const next = new Uint32Array(count);
  const seen = new Uint8Array(count);
  seen[0] = 1;
  next[0] = firstEdge[0];
  while (stack.length) {
    const node = stack.at(-1);
    if (next[node] < firstEdge[node + 1]) {
      const e = next[node]++;
      const to = edgeTo[e];
      if (strong(e) && !seen[to]) {
        seen[to] = 1;
        next[to] = firstEdge[to];
        stack.push(to);
      }
    } else {
      order[node] = byOrder.length;
      byOrder.push(node);
      stack.pop();
    }
  }
  // predecessors of reachable nodes
  const predCount = new Uint32Array(count + 1);
  for (let n = 0; n < count; n++) {
    if (!seen[n]) continue;
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) if (strong(e)) predCount[edgeTo[e] + 1] += 1;
  }
  for (let n = 0; n < count; n++) predCount[n + 1] += predCount[n];
  const preds = new Uint32Array(predCount[count]);
  const fill = predCount.slice(0, count);
  for (let n = 0; n < count; n++) {
    if (!seen[n]) continue;
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) if (strong(e)) preds[fill[edgeTo[e]]++] = n;
  }
  const idom = new Int32Array(count).fill(-1);
  idom[0] = 0;
  const intersect = (a, b) => {
    while (a !== b) {
      while (order[a] < order[b]) a = idom[a];
      while (order[b] < order[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let i = byOrder.length - 2; i >= 0; i--) {
      const node = byOrder[i];
      let dom = -1;
      for (let p = predCount[node]; p < predCount[node + 1]; p++) {
        const pred = preds[p];
        if (idom[pred] === -1) continue;
        dom = dom === -1 ? pred : intersect(pred, dom);
      }
      if (dom !== -1 && idom[node] !== dom) {
        idom[node] = dom;
        changed = true;
      }
    }
  }
  return { idom, byOrder };
}

/** Retained size of every node: its own plus that of every node it dominates. */
export function retainedSizes(graph, { idom, byOrder }) {
  const retained = Float64Array.from(graph.size);
  for (const node of byOrder) if (node !== 0) retained[idom[node]] += retained[node];
  return retained;
}

/** The key a node is grouped under: its type and name (a constructor's or a closure's name). */
function groupKey(graph, n) {
  const type = graph.nodeTypeNames[graph.type[n]];
  // a scope's or a closure's name may carry the node id (`@12345`): the same thing in two snapshots
  const name = graph.strings[graph.name[n]].replace(/ @\d+$/, '');
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') {
    return name.startsWith(JWT_PREFIX) ? '(string) JWT' : '(string)';
  }
  if (type === 'object' || type === 'closure' || type === 'native') return `${type} ${name}`;
  return `(${type})`;
}

/** The property names instances of a group carry most often: what names a mangled class. */
function propertyNames(graph, n) {
  const property = graph.edgeTypeNames.indexOf('property');
  const names = [];
  for (let e = graph.firstEdge[n]; e < graph.firstEdge[n + 1]; e++) {
    if (graph.edgeType[e] === property) names.push(graph.strings[graph.edgeName[e]]);
  }
  return names.filter((name) => !name.startsWith('__')).slice(0, 8);
}

/**
 * Counts, self sizes and retained sizes by group, and the property names of one instance of each.
 * A group's retained size counts each instance no other instance of the group dominates.
 */
export function summarize(json) {
  const graph = parseSnapshot(json);
  const doms = dominators(graph);
  const retained = retainedSizes(graph, doms);
  const keys = new Array(graph.count);
  for (let n = 0; n < graph.count; n++) keys[n] = groupKey(graph, n);
  const groups = new Map();
  let js = 0;
  for (let n = 0; n < graph.count; n++) {
    if (doms.idom[n] === -1) continue; // unreachable: the next GC takes it
    const type = graph.nodeTypeNames[graph.type[n]];
    if (type === 'synthetic') continue; // the roots: they retain everything
    if (type !== 'native') js += graph.size[n];
    const key = keys[n];
    let group = groups.get(key);
    if (!group) {
      group = { count: 0, self: 0, retained: 0, sample: propertyNames(graph, n) };
      groups.set(key, group);
    }
    group.count += 1;
    group.self += graph.size[n];
    let owner = doms.idom[n];
    while (owner !== 0 && keys[owner] !== key) owner = doms.idom[owner];
    if (owner === 0) group.retained += retained[n];
  }
  return { total: retained[0], js, nodes: graph.count, groups: Object.fromEntries(groups) };
}

// ---- comparing ---------------------------------------------------------------------------------------------

/**
 * Groups by growth between two summaries: count and size deltas, and per-rotation rates when the rotations
 * between the snapshots are known.
 */
export function compare(before, after, rotations) {
  const keys = new Set([...Object.keys(before.groups), ...Object.keys(after.groups)]);
  const zero = { count: 0, self: 0, retained: 0, sample: [] };
  return [...keys].map((key) => {
    const a = before.groups[key] ?? zero;
    const b = after.groups[key] ?? zero;
    const dCount = b.count - a.count;
    return {
      key,
      before: a.count,
      after: b.count,
      dCount,
      dSelf: b.self - a.self,
      dRetained: b.retained - a.retained,
      perRotation: rotations ? dCount / rotations : undefined,
      sample: (b.count ? b : a).sample,
    };
  });
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The groups that grew most, by count and by retained size, as text. */
export function growthTable(rows, top, middles = []) {
  const fmt = (r) =>
    [
      r.key.padEnd(44).slice(0, 44),
      [r.before, ...middles.map((m) => m.groups[r.key]?.count ?? 0), r.after].join(' → ').padEnd(24),
      `${r.dCount >= 0 ? '+' : ''}${r.dCount}`.padStart(7),
      (r.perRotation === undefined ? '' : r.perRotation.toFixed(3)).padStart(8),
      kib(r.dSelf).padStart(11),
      kib(r.dRetained).padStart(11),
      `  ${r.sample.join(',')}`.slice(0, 70),
    ].join(' ');
  const header = [
    'group'.padEnd(44),
    'count (each snapshot)'.padEnd(24),
    'Δcount'.padStart(7),
    '/rot'.padStart(8),
    'Δself'.padStart(11),
    'Δretained'.padStart(11),
    '  properties',
  ].join(' ');
  const byCount = [...rows].sort((a, b) => b.dCount - a.dCount).slice(0, top);
  const bySize = [...rows].sort((a, b) => b.dRetained - a.dRetained).slice(0, top);
  return ['by count:', header, ...byCount.map(fmt), '', 'by retained size:', header, ...bySize.map(fmt)].join('\n');
}

// ---- running the demo --------------------------------------------------------------------------------------

/** After two GCs (the first can leave what finalizers freed for the next): the used JS heap, and a snapshot. */
async function takeSnapshot(cdp, file) {
  const chunks = [];
  const onChunk = ({ chunk }) => chunks.push(chunk);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const text = chunks.join('');
  writeFileSync(file, text);
  return { usedSize, json: JSON.parse(text) };
}

/** In the tab: what the soak reads every second (the API panel's counts, the activity log's entries). */
function readLikeTheSoak() {
  const counts = globalThis.document.querySelector('[data-testid="api-counts"]');
  const entries = [...globalThis.document.querySelectorAll('[data-testid="activity"] li')];
  return { started: counts?.dataset.started, types: entries.map((li) => li.dataset.type) };
}

/**
 * Every second until stopped: arms one of {@link FAULTS} now and then (never two at a time), and with `churn`
 * reloads the churned tab or closes it and opens another. Resolves to a stop function.
 */
function disturb({ url, context, churnTabs, faultsPerMinute, churn, random }) {
  let stopped = false;
  const counts = { faults: 0, reloads: 0, reopens: 0 };
  const loop = (async () => {
    while (!stopped) {
      const stats = await readStats(url);
      if (random() < faultsPerMinute / 60 && counts.faults <= stats.faultsApplied) {
        await armFault(url, { path: TOKEN_PATH, count: 1, ...pick(random, FAULTS) });
        counts.faults += 1;
      }
      if (churn && random() < 1 / 20) {
        const page = churnTabs.pop();
        if (random() < 0.5) {
          counts.reloads += 1;
          await page.reload().catch(() => undefined);
          churnTabs.push(page);
        } else {
          counts.reopens += 1;
          await page.close();
          const next = await context.newPage();
          await next.goto(`${url}/desk`).catch(() => undefined);
          churnTabs.push(next);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the loop's pace, not a wait for a condition
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await disarmFaults(url);
    return counts;
  };
}

/** Reads `page` every `ms` until `stop()` is called. */
function probe(page, ms) {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await page.evaluate(readLikeTheSoak).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, ms)); // the probe's pace, not a wait for a condition
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

/** In the tab: how many API calls its panel began. */
function apiCallsStarted() {
  return Number(globalThis.document.querySelector('[data-testid="api-counts"]')?.dataset.started ?? NaN);
}

async function run() {
  const tabCount = Math.max(1, Number(args.tabs));
  const minutes = args.at.split(',').map(Number);
  const outDir = join(REPO_ROOT, args.out);
  mkdirSync(outDir, { recursive: true });
  const stack = await startDemoStack({
    accessTokenTtl: Number(args.ttl),
    pollMs: 1000,
    timeoutMs: TIMEOUT_MS,
    refresh: { minLeadMs: 1000 },
    emulator: { quiet: true },
  });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    let rotations = 0;
    context.on('requestfinished', async (request) => {
      if (!request.url().endsWith(TOKEN_PATH)) return;
      const grantType = new URLSearchParams(request.postData() ?? '').get('grant_type');
      const response = await request.response().catch(() => null);
      if (grantType === 'refresh_token' && response?.status() === 200) rotations += 1;
    });
    const tabs = [];
    for (let i = 0; i < tabCount; i++) {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(error.message));
      if (i === 0) await signIn(page, stack.url);
      else {
        await page.goto(`${stack.url}/desk`);
        await waitForDesk(page, 15_000);
      }
      const cdp = await context.newCDPSession(page);
      await cdp.send('HeapProfiler.enable');
      tabs.push({ page, cdp, errors, snapshots: [] });
    }
    const churnTabs = [];
    if (args.churn) {
      const page = await context.newPage();
      await page.goto(`${stack.url}/desk`);
      await waitForDesk(page, 15_000);
      churnTabs.push(page);
    }
    const stopDisturbing = disturb({
      url: stack.url,
      context,
      churnTabs,
      faultsPerMinute: Number(args['faults-per-minute']),
      churn: args.churn,
      random: seededRandom(Number(args.seed)),
    });
    const probeMs = Number(args['probe-ms']);
    const stopProbe = probeMs > 0 ? probe(tabs[0].page, probeMs) : async () => undefined;
    const started = Date.now();
    console.log(`heap-snapshots: ${tabCount} tabs, ${args.ttl} s tokens, snapshots at minutes ${minutes.join(', ')}`);
    for (const minute of minutes) {
      // the run's schedule, not a wait for a condition
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + minute * 60_000 - Date.now())));
      for (const [i, tab] of tabs.entries()) {
        const file = join(outDir, `tab${i}-min${minute}.heapsnapshot`);
        const apiCalls = await tab.page.evaluate(apiCallsStarted);
        const dom = await tab.cdp.send('Memory.getDOMCounters');
        const { usedSize, json } = await takeSnapshot(tab.cdp, file);
        const summary = summarize(json);
        tab.snapshots.push({ minute, rotations, apiCalls, dom, usedSize, file: relative(REPO_ROOT, file), summary });
        console.log(
          `heap-snapshots: min ${minute} tab ${i}: ${rotations} rotations, ${apiCalls} API calls, ` +
            `used JS heap ${kib(usedSize)}, snapshot ${kib(summary.total)} (${kib(summary.js)} not native), ` +
            `${summary.nodes} nodes, DOM ${JSON.stringify(dom)}`,
        );
      }
    }
    await stopProbe();
    const disturbed = await stopDisturbing();
    console.log(`heap-snapshots: ${JSON.stringify(disturbed)} (faults armed, churned tab reloaded / reopened)`);
    const top = Number(args.top);
    const report = tabs.map((tab, i) => {
      const first = tab.snapshots[0];
      const last = tab.snapshots.at(-1);
      const dRotations = last.rotations - first.rotations;
      const dCalls = last.apiCalls - first.apiCalls;
      const rows = compare(first.summary, last.summary, dRotations);
      const probed = i === 0 && probeMs > 0 ? `, read every ${probeMs} ms` : '';
      console.log(
        `\ntab ${i}${i === 0 ? ' (signed in first)' : ''}${probed}: minute ${first.minute} → ${last.minute}, ` +
          `${dRotations} rotations, ${dCalls} API calls, used JS heap ${kib(first.usedSize)} → ${kib(last.usedSize)} ` +
          `(${((last.usedSize - first.usedSize) / Math.max(1, dRotations)).toFixed(0)} B/rotation), ` +
          `page errors: ${tab.errors.length}`,
      );
      console.log(
        growthTable(
          rows,
          top,
          tab.snapshots.slice(1, -1).map((s) => s.summary),
        ),
      );
      return {
        tab: i,
        snapshots: tab.snapshots.map(({ summary, ...rest }) => ({
          ...rest,
          heap: summary.total,
          js: summary.js,
          nodes: summary.nodes,
        })),
        rotations: dRotations,
        apiCalls: dCalls,
        growth: rows.filter((r) => r.dCount !== 0 || r.dRetained !== 0).sort((a, b) => b.dRetained - a.dRetained),
      };
    });
    writeFileSync(join(outDir, 'summary.json'), JSON.stringify(report, null, 2));
    console.log(`\nheap-snapshots: wrote ${relative(REPO_ROOT, outDir)}/summary.json and the snapshots`);
  } finally {
    await browser.close();
    await stack.close();
  }
}

function compareFiles() {
  const [a, b] = positionals;
  if (!a || !b) throw new Error('heap-snapshots: --compare needs two .heapsnapshot files');
  const [before, after] = [a, b].map((file) => summarize(JSON.parse(readFileSync(file, 'utf8'))));
  const rotations = args.rotations === undefined ? undefined : Number(args.rotations);
  console.log(`snapshot ${kib(before.total)} → ${kib(after.total)}, not native ${kib(before.js)} → ${kib(after.js)}`);
  console.log(growthTable(compare(before, after, rotations), Number(args.top)));
}

// run as a script; imported (to reuse the parsing), it does nothing
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (args.compare) compareFiles();
  else await run();
}
