// Where an app's initial JS comes from, by npm package, from the build's esbuild metafile (stats.json).

/** The package a bundled input belongs to (`@scope/name`, `name`), or `app` for the app's own sources. */
export function packageOf(inputPath) {
  // the innermost node_modules owns the file (a nested copy belongs to its own package)
  const m = [...inputPath.matchAll(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/g)].pop();
  return m ? m[1] : 'app';
}

/** Minified bytes per package in the given outputs of a metafile. */
export function bytesByPackage(metafile, outputNames) {
  const totals = {};
  for (const [name, output] of Object.entries(metafile.outputs)) {
    if (!outputNames.some((wanted) => name === wanted || name.endsWith(`/${wanted}`))) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = packageOf(input);
      totals[pkg] = (totals[pkg] ?? 0) + bytesInOutput;
    }
  }
  return totals;
}

/** Per-package difference of an app over the baseline, largest first, zero rows dropped. */
export function deltaByPackage(app, baseline) {
  const names = new Set([...Object.keys(app), ...Object.keys(baseline)]);
  return [...names]
    .map((pkg) => ({ package: pkg, bytes: (app[pkg] ?? 0) - (baseline[pkg] ?? 0) }))
    .filter((row) => row.bytes !== 0)
    .sort((a, b) => b.bytes - a.bytes);
}
