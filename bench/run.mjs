#!/usr/bin/env node
// `npm run bench` (full) and `npm run bench:smoke` (small, checks the bench still works): builds the library and
// the bench apps, measures, prints tables, writes results.json and a chart. See BENCHMARKS.md for the method.
//
//   node bench/run.mjs [--smoke] [--out <dir>] [--only bundle,interceptor,storm,login,tabs,steady]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { BUNDLE_APPS, measureBundles, measureOurSources } from './lib/bundle.mjs';
import { barChartSvg } from './lib/chart.mjs';
import { measureInterceptors } from './lib/interceptor.mjs';
import { measureLoginChain } from './lib/login-chain.mjs';
import { machineFacts } from './lib/machine.mjs';
import { buildApp, buildLibrary, benchDir, installBenchDependencies, outDir } from './lib/steps.mjs';
import { measureStorm } from './lib/storm.mjs';
import { measureSteadyState } from './lib/steady.mjs';
import { measureTabs } from './lib/tabs.mjs';
import { kb, signedKb, textTable } from './lib/table.mjs';
import { callHarness, launchChromium, openHarness, startTestBed } from './lib/test-bed.mjs';

const PLANS = {
  full: {
    bundleApps: BUNDLE_APPS.map((a) => a.name),
    interceptor: { total: 100_000, rounds: 10, batch: 100 },
    // production's 30-second tokens: a burst of 1000 queues for seconds in the browser, shorter tokens expire in it
    storm: { sizes: [50, 200, 1000], accessTokenTtl: 30 },
    login: { rounds: 20 },
    tabs: { counts: [2, 4, 8], accessTokenTtl: 4, lifetimes: 4, pollEveryMs: 250 },
    steady: { seconds: 300, accessTokenTtl: 30, pollEveryMs: 100 },
  },
  smoke: {
    bundleApps: ['baseline', 'ours'],
    interceptor: { total: 4_000, rounds: 2, batch: 100 },
    storm: { sizes: [20], accessTokenTtl: 3 },
    login: { rounds: 2 },
    tabs: { counts: [2], accessTokenTtl: 3, lifetimes: 2, pollEveryMs: 250 },
    steady: { seconds: 7, accessTokenTtl: 3, pollEveryMs: 100 },
  },
};

/** Not measured by this bench yet; listed in results.json and BENCHMARKS.md. */
const NOT_MEASURED = [
  'interceptor overhead of angular-auth-oidc-client and @auth0/auth0-angular (their interceptors attach a token only once a session of their own kind exists: a loaded OIDC configuration and stored auth result, an Auth0 token cache)',
  'refresh storm, tabs and steady state for the other libraries (the emulator speaks B2Trader protocol only)',
];

const { values } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, out: { type: 'string' }, only: { type: 'string' } },
});
const mode = values.smoke ? 'smoke' : 'full';
const plan = PLANS[mode];
const only = new Set((values.only ?? 'bundle,interceptor,storm,login,tabs,steady').split(','));
const resultsDir = values.out ?? (values.smoke ? join(outDir, 'smoke') : benchDir);
const started = Date.now();
const log = (line) => console.log(`bench [${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

await installBenchDependencies(log);
await buildLibrary(log);

// --only re-measures some sections and keeps the others of an earlier run of the same mode
const resultsFile = join(resultsDir, 'results.json');
const earlier = values.only && existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
const kept = earlier.mode === mode ? earlier : {};
const results = {
  ...kept,
  mode,
  generatedAt: new Date().toISOString(),
  machine: machineFacts(kept.machine?.chromium),
  notMeasured: NOT_MEASURED,
};

if (only.has('bundle')) {
  results.bundle = await measureBundles(plan.bundleApps, log);
  console.log('\nBundle cost: initial JS of a production build, KB (1000 bytes)\n');
  for (const line of textTable(results.bundle, [
    ['app', (r) => r.label],
    ['raw', (r) => kb(r.raw)],
    ['gzip', (r) => kb(r.gzip)],
    ['brotli', (r) => kb(r.brotli)],
    ['Δ raw', (r) => signedKb(r.delta.raw)],
    ['Δ gzip', (r) => signedKb(r.delta.gzip)],
    ['Δ brotli', (r) => signedKb(r.delta.brotli)],
    [
      'Δ by package (raw, minified)',
      (r) => r.deltaByPackage.map((p) => `${p.package} ${signedKb(p.bytes)}`).join(', '),
    ],
  ]))
    console.log(line);
  results.bundleOurSources = await measureOurSources(log);
  console.log('\nOur initial JS by source file (minified bytes; the ten largest)\n');
  for (const line of textTable(results.bundleOurSources.slice(0, 10), [
    ['source', (r) => r.source],
    ['KB', (r) => kb(r.bytes)],
  ]))
    console.log(line);
}

const browserWork = ['interceptor', 'storm', 'login', 'tabs', 'steady'].filter((s) => only.has(s));
if (browserWork.length) {
  log('building the harness page');
  const pageDir = join(await buildApp('harness'), 'browser');
  const browser = await launchChromium();
  results.machine = machineFacts(browser.version());
  try {
    if (only.has('interceptor') || only.has('login')) {
      // long-lived tokens: no refresh may land inside a timed round
      const bed = await startTestBed({ pageDir, accessTokenTtl: 600 });
      const context = await browser.newContext();
      try {
        const page = await openHarness(context, bed.origin);
        if (only.has('interceptor')) {
          log(`interceptor: ${plan.interceptor.total} requests per variant`);
          await callHarness(page, 'login');
          results.interceptor = await measureInterceptors(page, plan.interceptor);
          await callHarness(page, 'logout');
          console.log('\nInterceptor overhead: HttpClient → interceptor → no-op backend, valid token\n');
          for (const line of textTable(results.interceptor, [
            ['variant', (r) => r.variant],
            ['requests', (r) => r.requests],
            ['with token', (r) => r.withToken],
            ['µs/request', (r) => r.usPerRequest.toFixed(2)],
            ['× bare', (r) => r.ratioToBare.toFixed(2)],
          ]))
            console.log(line);
        }
        if (only.has('login')) {
          log(`login chain: ${plan.login.rounds} interleaved rounds`);
          results.loginChain = await measureLoginChain(page, bed, plan.login);
          console.log('\nLogin chain: sign-in → authorize → token → refresh, same emulator, interleaved rounds\n');
          for (const line of textTable(results.loginChain, [
            ['client', (r) => r.client],
            ['rounds', (r) => r.rounds],
            ['median ms', (r) => r.medianMs.toFixed(1)],
            ['× 1.2', (r) => r.ratioToV12.toFixed(2)],
            ['requests', (r) => r.requestsPerChain.join('/')],
          ]))
            console.log(line);
        }
      } finally {
        await context.close();
        await bed.close();
      }
    }
    if (only.has('storm')) {
      log(`refresh storm: N = ${plan.storm.sizes.join(', ')}`);
      const bed = await startTestBed({ pageDir, accessTokenTtl: plan.storm.accessTokenTtl });
      try {
        results.storm = await measureStorm(browser, bed, plan.storm);
      } finally {
        await bed.close();
      }
      console.log('\nRefresh storm: N requests at once meet an expired token (Chromium, emulator)\n');
      for (const line of textTable(results.storm, [
        ['N', (r) => r.n],
        ['token requests', (r) => r.tokenRequests],
        ['succeeded', (r) => r.succeeded],
        ['401 answers', (r) => r.answered401],
        ['valid p50/p99 ms', (r) => `${r.validP50Ms}/${r.validP99Ms}`],
        ['added p50/p99 ms', (r) => `${r.addedP50Ms}/${r.addedP99Ms}`],
      ]))
        console.log(line);
    }
    if (only.has('tabs')) {
      log(`tabs: ${plan.tabs.counts.join(', ')} tabs for ${plan.tabs.lifetimes} token lifetimes`);
      const bed = await startTestBed({ pageDir, accessTokenTtl: plan.tabs.accessTokenTtl });
      try {
        results.tabs = await measureTabs(browser, bed, plan.tabs);
      } finally {
        await bed.close();
      }
      console.log(`\nTabs: polling every ${plan.tabs.pollEveryMs} ms with ${plan.tabs.accessTokenTtl}-second tokens\n`);
      for (const line of textTable(results.tabs, [
        ['tabs', (r) => r.tabs],
        ['seconds', (r) => r.seconds],
        ['rotations', (r) => r.rotations],
        ['refresh requests', (r) => r.refreshRequests],
        ['per rotation', (r) => r.refreshRequestsPerRotation],
        ['API ok/failed', (r) => `${r.apiRequestsOk}/${r.apiRequestsFailed}`],
        ['401 answers', (r) => r.answered401],
        ['sign-out reached all, ms', (r) => r.signOutReachedAllMs],
      ]))
        console.log(line);
    }
    if (only.has('steady')) {
      log(`steady state: ${plan.steady.seconds} s of traffic with ${plan.steady.accessTokenTtl}-second tokens`);
      const bed = await startTestBed({ pageDir, accessTokenTtl: plan.steady.accessTokenTtl });
      try {
        results.steady = await measureSteadyState(browser, bed, plan.steady);
      } finally {
        await bed.close();
      }
      const r = results.steady;
      console.log(
        `\nSteady state: ${r.apiRequests} API requests in ${r.seconds} s, ${r.failed} failed, ${r.answered401} answered 401; ` +
          `${r.refreshes} refreshes, ${r.refreshRequests} refresh requests\n`,
      );
    }
  } finally {
    await browser.close();
  }
}

const seconds = Math.round((Date.now() - started) / 1000);
if (values.only) results.rerun = { sections: [...new Set([...(kept.rerun?.sections ?? []), ...only])], seconds };
else results.seconds = seconds;
mkdirSync(resultsDir, { recursive: true });
const { format } = await import('prettier');
const json = await format(JSON.stringify(results), { parser: 'json', printWidth: 120 });
writeFileSync(resultsFile, json);
if (results.bundle) {
  const rows = results.bundle
    .filter((r) => r.name !== 'baseline')
    .map((r) => ({ label: r.label, value: r.delta.gzip / 1000, highlight: r.name === 'ours' }))
    .sort((a, b) => a.value - b.value);
  const svg = barChartSvg({
    title: 'Initial JS added over a bare HttpClient app (gzip, KB)',
    subtitle: `Angular 21.2.24 production builds, ${results.generatedAt.slice(0, 10)}; smaller is better`,
    rows,
    unit: 'KB',
  });
  writeFileSync(join(resultsDir, 'bundle-delta.svg'), svg);
}
log(`done: ${resultsFile}`);
