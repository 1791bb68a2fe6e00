// Sizes of the initial JavaScript of a production build: raw, gzip and brotli at their highest levels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The scripts index.html loads at start-up (module scripts and module preloads): the initial JS. */
export function initialScripts(html) {
  const found = new Set();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) found.add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) found.add(m[1]);
  return [...found].sort();
}

/** Raw, gzip (level 9) and brotli (quality 11) byte counts of one buffer. */
export function compressedSizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/**
 * Initial JS of a built app (its `browser/` folder), measured as one concatenated payload: compressing the
 * files together is what a single-chunk build ships, and keeps apps with different chunking comparable.
 */
export function initialJsSizes(browserDir) {
  const files = initialScripts(readFileSync(join(browserDir, 'index.html'), 'utf8'));
  const bytes = Buffer.concat(files.map((f) => readFileSync(join(browserDir, f))));
  return { files, ...compressedSizes(bytes) };
}
