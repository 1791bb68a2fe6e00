// The bench still works: `node bench/run.mjs --smoke` builds, measures and writes a complete results.json.
// Checks shapes and counts, never timings (timings belong to the full run and are read as ratios).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const runBench = promisify(execFile);
const runner = join(import.meta.dirname, '..', 'run.mjs');

test(
  'bench smoke run writes complete results (bundle, interceptor, login chain, storm, tabs, steady state)',
  { timeout: 180_000 },
  async (t) => {
    const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    await runBench(process.execPath, [runner, '--smoke', '--out', out], { maxBuffer: 16 * 1024 * 1024 });
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));

    assert.equal(results.mode, 'smoke');
    assert.ok(results.machine.cores > 0 && results.machine.node && results.machine.chromium);

    const [baseline, ours] = results.bundle;
    assert.deepEqual([baseline.name, ours.name], ['baseline', 'ours']);
    assert.ok(baseline.gzip > 0 && baseline.brotli < baseline.gzip && baseline.gzip < baseline.raw);
    assert.equal(baseline.delta.raw, 0);
    assert.ok(ours.delta.raw > 0, 'the library adds code over the baseline');
    assert.ok(ours.deltaByPackage.some((p) => p.package === 'b2trader.identity.auth' && p.bytes > 0));
    assert.match(readFileSync(join(out, 'bundle-delta.svg'), 'utf8'), /^<svg /);

    const variants = Object.fromEntries(results.interceptor.map((r) => [r.variant, r]));
    assert.equal(variants.bare.withToken, 0, 'bare HttpClient sends no token');
    for (const name of ['ours', 'hand-written', 'angular-oauth2-oidc', 'keycloak-angular']) {
      assert.equal(variants[name].withToken, variants[name].requests, `${name} put the token on every request`);
      assert.ok(variants[name].ratioToBare > 0);
    }

    for (const row of results.loginChain) {
      assert.ok(row.medianMs > 0, `${row.client} finished its chain`);
      assert.ok(row.requestsPerChain.length > 0);
    }

    const [storm] = results.storm;
    assert.equal(storm.requestsWhilePaused, 0, 'the page was really paused while the token expired');
    assert.equal(storm.succeeded, storm.n, 'every request of the storm succeeded');
    assert.equal(storm.tokenRequests, 1, 'one refresh served the whole storm');

    const [tabs] = results.tabs;
    assert.ok(tabs.rotations > 0, 'tokens rotated while the tabs polled');
    assert.equal(tabs.refreshRequestsPerRotation, 1, 'one refresh request per rotation across the tabs');
    assert.ok(tabs.signOutReachedAllMs >= 0);

    assert.ok(results.steady.refreshes > 0 && results.steady.apiRequests > 0);
    assert.equal(results.steady.answered401, 0, 'no request was answered 401 while tokens rotated');
  },
);
