// The README's examples: the TypeScript ones are compiled together as one small app
// by Angular's compiler (strict, templates type-checked) against the built package;
// the JavaScript ones of the core / Node section run as written against the emulator,
// as a Node program that installed the package would run them.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { NgtscProgram } from '@angular/compiler-cli';
import ts from 'typescript';

import { startEmulator } from '../../e2e/identity-server/test/helpers.mjs';
import { isSpecBlock, readmeExamples as examples, writeReadmeApp } from '../readme-app.mjs';
import { APP_COMPILER_OPTIONS } from './app-compiler-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

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

/** Errors of Angular's compiler (TypeScript's included) with templates type-checked strictly. */
function compileAngular(files) {
  const options = { ...APP_COMPILER_OPTIONS, strictTemplates: true, strictInjectionParameters: true };
  const program = new NgtscProgram(files, options, ts.createCompilerHost(options));
  return [
    ...program.getTsSemanticDiagnostics(),
    ...program.getNgStructuralDiagnostics(),
    ...program.getNgSemanticDiagnostics(),
  ]
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const where = d.file
        ? `${basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

describe("README.md's app: every ```ts example, compiled by Angular's compiler against the built package", () => {
  // in the repository (so that the package resolves as it does for an app), in a folder no linter reads
  const dir = join(root, 'dist', 'readme-examples');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('compiles, templates included', () => {
    const files = writeReadmeApp(dir, readme);
    assert.ok(files.length >= 6, `found ${files.length} files`);
    assert.deepEqual(compileAngular(files), []);
  });

  test('the check can fail: a template that calls a missing member is reported', () => {
    const page =
      "// sign-in-page.ts\nimport { Component } from '@angular/core';\n@Component({ selector: 'app-x', template: '<button (click)=\"signIn()\">x</button>' })\nexport class SignInPage {}\n";
    const files = writeReadmeApp(
      dir,
      readme.replace(/(\n```ts\n)\/\/ sign-in-page\.ts\n[\s\S]*?\n```/, `$1${page}\`\`\``),
    );
    const errors = compileAngular(files);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /^sign-in-page\.ts:\d+ .*signIn/);
  });
});

test('README.md blocks that quote a file equal it; quoted spec files compile against the built package', () => {
  const quoted = examples(readme).filter((b) => b.quotes);
  assert.ok(quoted.filter(isSpecBlock).length >= 1, "the testing kit's example spec is quoted");
  assert.ok(quoted.filter((b) => !isSpecBlock(b)).length >= 2, "the sign-in page's helpers are quoted from the demo");
  for (const block of quoted) {
    assert.equal(block.code, readFileSync(join(root, block.quotes), 'utf8'), `README.md line ${block.line}`);
  }
  // an app's spec files see jasmine's globals
  assert.deepEqual(
    compile(virtualFiles(quoted.filter(isSpecBlock)), { ...APP_COMPILER_OPTIONS, types: ['jasmine'] }),
    [],
  );
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

describe('every ```js example of the core / Node section runs as written on Node against the emulator', () => {
  const core = section(readme, 'core / Node');
  const blocks = examples(core.text, core.line, 'js');
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

  test('the section has its examples, in JavaScript only', () => {
    assert.ok(blocks.length >= 3, `found ${blocks.length}`);
    assert.deepEqual(examples(core.text, core.line, 'ts'), [], 'Node examples are plain JavaScript');
  });

  for (const [index, block] of blocks.entries()) {
    test(`README.md line ${block.line}`, async () => {
      assert.ok(block.code.includes('https://example.com'), 'the example names the base URL that the test replaces');
      const file = join(dir, `example-${index}.mjs`);
      writeFileSync(file, block.code.replaceAll('https://example.com', server.url));
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
