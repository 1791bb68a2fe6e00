#!/usr/bin/env node
// The golden API report of each entry point (`.`, `/core`, `/testing`), made by API
// Extractor from the built `.d.ts` in dist/identity-auth, so that every change of the
// public surface shows in review as a change of projects/identity-auth/api/*.api.md.
//
//   node scripts/api-report.mjs           compares the built surface with the committed reports
//   node scripts/api-report.mjs --update  rewrites the committed reports (npm run api:update)
//
// Both need a built library (`ng build identity-auth`).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

import { linkBuiltPackage } from './link-built-package.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The built package through its link in node_modules, as an app sees it. */
export const PACKAGE = join(root, 'node_modules/b2trader.identity.auth');
export const REPORTS = join(root, 'projects/identity-auth/api');

/** Each entry point of the package and the file its report is kept in. */
export const ENTRY_POINTS = [
  { entry: '.', report: 'identity-auth.api.md' },
  { entry: './core', report: 'core.api.md' },
  { entry: './testing', report: 'testing.api.md' },
];

const QUIET = { logLevel: 'none' };

/** The `.d.ts` of `entry` as the built package.json exports it. */
function typesOf(manifest, entry) {
  const types = manifest.exports?.[entry]?.types;
  if (!types) throw new Error(`api-report: the built package.json exports no types for "${entry}"`);
  return join(PACKAGE, types);
}

/**
 * API Extractor over one entry point, its report written to `folder`. Each entry point
 * is analysed as a package of its own, so that imports of the other entry points stay
 * imports in the report, as users see them.
 */
function extract(manifest, { entry, report }, folder) {
  const types = typesOf(manifest, entry);
  const name = entry === '.' ? manifest.name : `${manifest.name}/${entry.slice(2)}`;
  // a package name has no slash: `b2trader.identity.auth-core` here, put right in the header below
  const packageName = name.replace('/', '-');
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: PACKAGE,
      newlineKind: 'lf',
      mainEntryPointFilePath: types,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            module: 'es2022',
            // node10 resolution knows no self-references: the entry points' imports of each other
            // resolve into node_modules, as an app's would, and stay imports in the report
            moduleResolution: 'node10',
            lib: ['ES2022', 'dom', 'dom.iterable'],
            strict: true,
            skipLibCheck: true,
            preserveSymlinks: true,
            types: [],
          },
          files: [types],
        },
      },
      apiReport: { enabled: true, reportFileName: report, reportFolder: folder, reportTempFolder: folder },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'error' } },
        extractorMessageReporting: {
          default: QUIET,
          // a name the report shows but the entry point does not export
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
        },
        tsdocMessageReporting: { default: QUIET },
      },
    },
    configObjectFullPath: join(root, 'api-extractor.json'),
    packageJsonFullPath: join(PACKAGE, 'package.json'),
    packageJson: { name: packageName, version: manifest.version },
  });
  const errors = [];
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback: (message) => {
      if (message.logLevel === 'error') errors.push(message.text);
      message.handled = true;
    },
  });
  if (!result.succeeded || errors.length) {
    throw new Error(`api-report: API Extractor failed on ${entry}:\n${errors.join('\n')}`);
  }
  return readFileSync(join(folder, report), 'utf8').replace(`"${packageName}"`, `"${name}"`);
}

/** The reports of the built package, as `{ entry, report, text }`. */
export function builtReports() {
  if (!existsSync(join(PACKAGE, 'package.json'))) linkBuiltPackage();
  const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
  const folder = mkdtempSync(join(tmpdir(), 'api-report-'));
  try {
    return ENTRY_POINTS.map((point) => ({ ...point, text: extract(manifest, point, folder) }));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function committed(report) {
  try {
    return readFileSync(join(REPORTS, report), 'utf8').replaceAll('\r\n', '\n');
  } catch {
    return '';
  }
}

/** A line diff (longest common subsequence), `-` committed, `+` built, with 2 lines of context. */
export function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint16Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const lines = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ mark: ' ', text: a[i++] });
      j++;
    } else if (i < a.length && (j >= b.length || lcs[i + 1][j] >= lcs[i][j + 1]))
      lines.push({ mark: '-', text: a[i++] });
    else lines.push({ mark: '+', text: b[j++] });
  }
  const near = (k) => lines.slice(Math.max(0, k - 2), k + 3).some((line) => line.mark !== ' ');
  return lines
    .map((line, k) => (near(k) ? `${line.mark} ${line.text}` : null))
    .filter((line, k, all) => line !== null || all[k - 1] !== null)
    .map((line) => line ?? '  …')
    .join('\n');
}

/** What differs between the built surface and the committed reports; empty when nothing. */
export function surfaceChanges(reports = builtReports()) {
  return reports
    .filter(({ report, text }) => committed(report) !== text)
    .map(({ entry, report, text }) => ({ entry, report, diff: lineDiff(committed(report), text) }));
}

function main() {
  const reports = builtReports();
  if (process.argv.includes('--update')) {
    for (const { report, text } of reports) writeFileSync(join(REPORTS, report), text);
    console.log(`api-report: wrote ${reports.map((r) => `projects/identity-auth/api/${r.report}`).join(', ')}`);
    return;
  }
  const changes = surfaceChanges(reports);
  for (const { entry, report, diff } of changes) {
    console.error(`The public surface of "${entry}" differs from projects/identity-auth/api/${report}:\n${diff}\n`);
  }
  if (changes.length) {
    console.error('If the change is meant, run `npm run api:update` and commit the reports.');
    process.exitCode = 1;
  } else console.log('api-report: the built surface matches the committed reports');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
