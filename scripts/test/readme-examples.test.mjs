// The README's TypeScript examples: every one compiles (strict) against the built
// package, and every one of the core / Node section runs as written against the
// emulator, as an app that installed the package would run it.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import ts from 'typescript';

import { startEmulator } from '../../e2e/identity-server/test/helpers.mjs';
import { APP_COMPILER_OPTIONS } from './app-compiler-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/**
 * ```ts blocks of a markdown text, with the line each starts on, and the repository
 * file a block quotes when a `<!-- quoted from <path>` comment precedes it.
 */
function examples(markdown, offset = 0) {
  const found = [];
  const pattern = /^(?:<!-- quoted from (\S+?):? [^\n]*\n)?```ts\n([\s\S]*?)^```/gm;
  for (let match = pattern.exec(markdown); match; match = pattern.exec(markdown)) {
    const line = offset + markdown.slice(0, match.index).split('\n').length + (match[1] ? 1 : 0);
    found.push({ code: match[2], line, quotes: match[1] });
  }
  return found;
}

/** The text of one `## ` section of the README, and the line it starts on. */
function section(markdown, heading) {
  const start = markdown.indexOf(`\n## ${heading}`);
  assert.ok(start >= 0, `README has a "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return { text: markdown.slice(start, end < 0 ? undefined : end), line: markdown.slice(0, start).split('\n').length };
}

function compile(files, options = APP_COMPILER_OPTIONS) {
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

/** Virtual files inside the repository, so that node_modules resolution finds the package. */
function virtualFiles(blocks) {
  return new Map(
    blocks.map((b, i) => [join(root, '.readme-examples', `readme-line-${b.line}-${i}.ts`), `${b.code}\nexport {};\n`]),
  );
}

test('every ```ts example of README.md compiles (strict) against the built package', () => {
  const blocks = examples(readme).filter((b) => !b.quotes);
  assert.ok(blocks.length >= 3, `found ${blocks.length} examples`);
  assert.deepEqual(compile(virtualFiles(blocks)), []);
});

test('README.md blocks that quote a spec file equal it, and compile against the built package', () => {
  const quoted = examples(readme).filter((b) => b.quotes);
  assert.ok(quoted.length >= 1, "the testing kit's example spec is quoted");
  for (const block of quoted) {
    assert.equal(block.code, readFileSync(join(root, block.quotes), 'utf8'), `README.md line ${block.line}`);
  }
  // an app's spec files see jasmine's globals
  assert.deepEqual(compile(virtualFiles(quoted), { ...APP_COMPILER_OPTIONS, types: ['jasmine'] }), []);
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

describe('every ```ts example of the core / Node section runs against the emulator', () => {
  const core = section(readme, 'core / Node');
  const blocks = examples(core.text, core.line);
  // under node_modules, so that the examples resolve the package as an app would, and no linter sees them
  const dir = join(root, 'node_modules', '.cache', 'readme-examples');
  let server;

  before(async () => {
    server = await startEmulator();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the section has its examples', () => {
    assert.ok(blocks.length >= 3, `found ${blocks.length}`);
  });

  for (const [index, block] of blocks.entries()) {
    test(`README.md line ${block.line}`, async () => {
      const js = ts.transpileModule(block.code, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      }).outputText;
      assert.ok(js.includes('https://example.com'), 'the example names the base URL that the test replaces');
      const file = join(dir, `example-${index}.mjs`);
      writeFileSync(file, js.replaceAll('https://example.com', server.url));
      const logged = [];
      const log = console.log;
      console.log = (...values) => logged.push(values.map(String).join(' '));
      try {
        await import(pathToFileURL(file).href);
      } finally {
        console.log = log;
      }
      assert.ok(logged.length > 0, 'the example ran to its output');
      for (const line of logged) {
        assert.doesNotMatch(line, /wrong email or password|try again later|undefined/, `the example logged: ${line}`);
      }
    });
  }
});
