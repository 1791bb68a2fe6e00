// Bundle cost: identical minimal apps, production builds, initial JS over the baseline's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { bytesByPackage, deltaByPackage } from './attribution.mjs';
import { initialJsSizes } from './sizes.mjs';
import { bytesBySource } from './source-map-bytes.mjs';
import { buildApp, outDir, run, benchDir } from './steps.mjs';

/** The apps of bench/apps, baseline first; `label` is what tables and the chart call them. */
export const BUNDLE_APPS = [
  { name: 'baseline', label: 'baseline (HttpClient only)' },
  { name: 'ours', label: 'b2trader.identity.auth 2' },
  { name: 'oauth4webapi', label: 'oauth4webapi alone' },
  { name: 'keycloak-angular', label: 'keycloak-angular + keycloak-js' },
  { name: 'angular-oauth2-oidc', label: 'angular-oauth2-oidc' },
  { name: 'angular-auth-oidc-client', label: 'angular-auth-oidc-client' },
  { name: 'auth0-angular', label: '@auth0/auth0-angular' },
];

function measureBuilt(dir) {
  const sizes = initialJsSizes(join(dir, 'browser'));
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
  return { ...sizes, packages: bytesByPackage(stats, sizes.files) };
}

/** Builds and measures the apps; every row carries its delta over the baseline and that delta by package. */
export async function measureBundles(names, log) {
  const rows = [];
  for (const app of BUNDLE_APPS.filter((a) => names.includes(a.name))) {
    log(`bundle: building ${app.name}`);
    rows.push({ ...app, ...measureBuilt(await buildApp(app.name)) });
  }
  const base = rows.find((r) => r.name === 'baseline');
  return rows.map((r) => ({
    name: r.name,
    label: r.label,
    files: r.files,
    raw: r.raw,
    gzip: r.gzip,
    brotli: r.brotli,
    delta: { raw: r.raw - base.raw, gzip: r.gzip - base.gzip, brotli: r.brotli - base.brotli },
    deltaByPackage: deltaByPackage(r.packages, base.packages),
  }));
}

/**
 * Our app's initial JS per source file of the library (and oauth4webapi), minified bytes, largest first: a
 * second build of `ours` with source maps that reach into the library's own sources.
 */
export async function measureOurSources(log) {
  log('bundle: building ours with source maps (per-file view of the library)');
  await run(join(benchDir, 'node_modules', '.bin', 'ng'), ['build', 'ours', '-c', 'source-map'], benchDir);
  const dir = join(outDir, 'ours-source-map', 'browser');
  const bytes = bytesBySource(
    readFileSync(join(dir, 'main.js'), 'utf8'),
    JSON.parse(readFileSync(join(dir, 'main.js.map'), 'utf8')),
  );
  return Object.entries(bytes)
    .filter(([source]) => source.startsWith('projects/identity-auth/') || source.includes('/oauth4webapi/'))
    .map(([source, n]) => ({ source: source.replace(/^projects\/identity-auth\//, ''), bytes: n }))
    .sort((a, b) => b.bytes - a.bytes);
}
