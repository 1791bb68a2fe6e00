// The TypeScript options of an app that installed the package: strict, bundler
// resolution, browser libs. Shared by the README and published-types checks.
import ts from 'typescript';

export const APP_COMPILER_OPTIONS = Object.freeze({
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: [],
});
