// Bundles the race suite (src/main.ts) with the session engine of a source tree —
// this working tree, or another checkout given with --source (an older engine) — into
// one ES module for Node. The suite imports the engine as `@engine/...` and the
// protocol client as `b2trader.identity.auth/core`; both resolve into that tree, so the
// same suite runs against whichever engine the tree holds. Packages (Angular,
// oauth4webapi, fast-check) always come from this workspace's node_modules.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const workspace = resolve(here, '..', '..');

/** The TypeScript file for an import path without extension (`x` → `x.ts` or `x/index.ts`). */
function tsFile(base) {
  const candidates = base.endsWith('.ts') ? [base] : [`${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

/** Points `@engine/*` and `b2trader.identity.auth/core` at the tree under `source`. */
function engineSource(source) {
  const lib = join(source, 'projects/identity-auth/src/lib');
  const core = join(source, 'projects/identity-auth/core/src/index.ts');
  return {
    name: 'engine-source',
    setup(b) {
      b.onResolve({ filter: /^b2trader\.identity\.auth\/core$/ }, () => ({ path: core }));
      b.onResolve({ filter: /^@engine\// }, (args) => {
        const path = tsFile(join(lib, args.path.slice('@engine/'.length)));
        return path ? { path } : { errors: [{ text: `${args.path}: no such file under ${lib}` }] };
      });
    },
  };
}

/**
 * Writes the bundle for the engine under `source` and returns its path.
 * @param {{ source?: string }} options
 */
export async function bundleSuite({ source = workspace } = {}) {
  const root = resolve(source);
  if (!existsSync(join(root, 'projects/identity-auth/src/lib/session/session-engine.ts'))) {
    throw new Error(`--source ${root}: no projects/identity-auth/src/lib/session/session-engine.ts there`);
  }
  const scratch = join(workspace, 'node_modules', '.cache', 'races');
  mkdirSync(scratch, { recursive: true });
  // One bundle per source tree: runs against different trees at the same time never share one.
  const tree = root === workspace ? '' : `-${createHash('sha1').update(root).digest('hex').slice(0, 8)}`;
  const outfile = join(scratch, `suite${tree}.mjs`);
  const result = await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    write: false,
    logLevel: 'error',
    sourcemap: 'inline',
    // Angular's packages read the `ngDevMode` global; false is what a production build sees.
    define: { ngDevMode: 'false' },
    // The engine's @Injectable classes use legacy decorators, as the workspace's tsconfig says.
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    // A checkout elsewhere (a git worktree) has no node_modules of its own.
    nodePaths: [join(workspace, 'node_modules')],
    plugins: [engineSource(root)],
    // esbuild's ESM output needs `require` for the CommonJS parts of dependencies.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  // Written whole, then renamed: a run starting meanwhile never reads half a bundle.
  const partial = `${outfile}.${process.pid}.tmp`;
  writeFileSync(partial, result.outputFiles[0].contents);
  renameSync(partial, outfile);
  return outfile;
}
