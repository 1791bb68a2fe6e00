// The README's TypeScript examples compile against the built package, as an app
// that installed it would compile them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ```ts blocks of a markdown file, with the line each starts on. */
function examples(markdown) {
  const found = [];
  const pattern = /^```ts\n([\s\S]*?)^```/gm;
  for (let match = pattern.exec(markdown); match; match = pattern.exec(markdown)) {
    found.push({ code: match[1], line: markdown.slice(0, match.index).split('\n').length });
  }
  return found;
}

function compile(files) {
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, version, ...rest) =>
    files.has(name)
      ? ts.createSourceFile(name, files.get(name), version)
      : getSourceFile.call(host, name, version, ...rest);
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName.split('/').pop()}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

test('every ```ts example of README.md compiles (strict) against the built package', () => {
  const blocks = examples(readFileSync(join(root, 'README.md'), 'utf8'));
  assert.ok(blocks.length >= 3, `found ${blocks.length} examples`);
  // virtual files inside the repository, so that node_modules resolution finds the package
  const files = new Map(
    blocks.map((b, i) => [join(root, '.readme-examples', `readme-line-${b.line}-${i}.ts`), `${b.code}\nexport {};\n`]),
  );
  assert.deepEqual(compile(files), []);
});

test('the check can fail: a wrong call is reported', () => {
  const file = join(root, '.readme-examples', 'wrong.ts');
  const errors = compile(
    new Map([
      [file, "import { IdentityAuth } from 'b2trader.identity.auth/core';\nnew IdentityAuth(42);\nexport {};\n"],
    ]),
  );
  assert.equal(errors.length, 1);
});
