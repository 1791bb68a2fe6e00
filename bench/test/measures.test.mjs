// The bench's pure helpers: what counts as initial JS, who owns which bytes, how rounds are ordered and summed.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bytesByPackage, deltaByPackage, packageOf } from '../lib/attribution.mjs';
import { bytesBySource, decodeSegment } from '../lib/source-map-bytes.mjs';
import { compressedSizes, initialScripts } from '../lib/sizes.mjs';
import { median, rotation } from '../lib/stats.mjs';

test('initial JS is the module scripts and module preloads of index.html, not lazy chunks or styles', () => {
  const html = `<link rel="stylesheet" href="styles.css"><link rel="modulepreload" href="chunk-A.js">
    <script src="polyfills.js" type="module"></script><script src="main.js" type="module"></script>`;
  assert.deepEqual(initialScripts(html), ['chunk-A.js', 'main.js', 'polyfills.js']);
  assert.deepEqual(initialScripts('<html></html>'), []);
});

test('compressed sizes: brotli and gzip smaller than raw for text', () => {
  const sizes = compressedSizes(Buffer.from('const a = 1;\n'.repeat(500)));
  assert.equal(sizes.raw, 6500);
  assert.ok(sizes.brotli < sizes.gzip && sizes.gzip < sizes.raw);
});

test('packageOf names the npm package of a bundled input, scoped or not, nested or not', () => {
  const cases = [
    ['node_modules/rxjs/dist/esm/internal/Subject.js', 'rxjs'],
    ['node_modules/@angular/core/fesm2022/core.mjs', '@angular/core'],
    ['node_modules/a/node_modules/@scope/b/index.js', '@scope/b'],
    ['apps/ours/main.ts', 'app'],
  ];
  for (const [input, expected] of cases) assert.equal(packageOf(input), expected, input);
});

test('bytes by package sum only the wanted outputs; the delta drops equal packages and sorts largest first', () => {
  const metafile = {
    outputs: {
      'main.js': {
        inputs: { 'node_modules/rxjs/a.js': { bytesInOutput: 10 }, 'apps/x/main.ts': { bytesInOutput: 3 } },
      },
      'chunk-lazy.js': { inputs: { 'node_modules/big/a.js': { bytesInOutput: 999 } } },
    },
  };
  const app = bytesByPackage(metafile, ['main.js']);
  assert.deepEqual(app, { rxjs: 10, app: 3 });
  assert.deepEqual(deltaByPackage({ ...app, lib: 40 }, { rxjs: 4, app: 3 }), [
    { package: 'lib', bytes: 40 },
    { package: 'rxjs', bytes: 6 },
  ]);
});

test('Base64 VLQ segments decode to signed numbers', () => {
  const cases = [
    ['AAAA', [0, 0, 0, 0]],
    ['CAAC', [1, 0, 0, 1]],
    ['D', [-1]],
    ['gB', [16]],
    ['hB', [-16]],
  ];
  for (const [text, expected] of cases) assert.deepEqual(decodeSegment(text), expected, text);
  assert.throws(() => decodeSegment('A*'), /not a Base64 VLQ digit/);
});

test('source-map bytes: each segment owns the text up to the next one; unmapped text counted apart', () => {
  // line 1: columns 0-4 from a.ts, 5-9 from b.ts; line 2: 3 unmapped characters
  const map = { sources: ['a.ts', 'b.ts'], mappings: 'AAAA,KCAA;A' };
  assert.deepEqual(bytesBySource('01234abcde\nxyz', map), { 'a.ts': 5, 'b.ts': 5, '(unmapped)': 3 });
});

test('median of odd and even counts; rotation moves the first item last, round after round', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.deepEqual(rotation(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
  assert.deepEqual(rotation(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
  assert.deepEqual(rotation(['a', 'b', 'c'], 5), ['c', 'a', 'b']);
});
