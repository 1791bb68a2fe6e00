// The published types, as an editor shows them to a user of the built package.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

import { APP_COMPILER_OPTIONS } from '../../../../scripts/test/app-compiler-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** A language service over one virtual file inside the repository (so that node_modules resolves the package). */
function service(source) {
  const file = join(root, '.types-check', 'user.ts');
  const host = {
    getScriptFileNames: () => [file],
    getScriptVersion: () => '1',
    getScriptSnapshot: (name) => {
      const text = name === file ? source : ts.sys.readFile(name);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => APP_COMPILER_OPTIONS,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (name) => name === file || ts.sys.fileExists(name),
    readFile: (name) => (name === file ? source : ts.sys.readFile(name)),
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  return { ls: ts.createLanguageService(host), file };
}

function errorsOf(source) {
  const { ls, file } = service(source);
  return [...ls.getSyntacticDiagnostics(file), ...ls.getSemanticDiagnostics(file)].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  );
}

for (const [label, source] of [
  [
    'createIdentityClient({ clientId })',
    "import { createIdentityClient } from 'b2trader.identity.auth/core';\ncreateIdentityClient({ url: '', clientId: '|' });\n",
  ],
  [
    'new IdentityAuth(url, clientId)',
    "import { IdentityAuth } from 'b2trader.identity.auth/core';\nnew IdentityAuth('', '|');\n",
  ],
]) {
  test(`editors offer the four client ids in ${label}, and any other string still compiles`, () => {
    const { ls, file } = service(source.replace('|', ''));
    const position = source.indexOf('|');
    const names = ls.getCompletionsAtPosition(file, position, {})?.entries.map((e) => e.name) ?? [];
    assert.deepEqual(
      ['spa', 'spa_admin', 'core_ib', 'lk'].filter((id) => !names.includes(id)),
      [],
      `offered: ${names.join(', ')}`,
    );
    assert.deepEqual(errorsOf(source.replace('|', 'a_client_registered_later')), []);
  });
}

test('the published IdentityClient has no oauth4webapi internals and no secret', () => {
  const errors = errorsOf(
    "import { createIdentityClient } from 'b2trader.identity.auth/core';\n" +
      "const c = createIdentityClient({ url: 'https://x', clientId: 'spa' });\n" +
      'c.as; c.client; c.secret;\n',
  );
  assert.deepEqual(
    errors.map((e) => e.match(/Property '(\w+)' does not exist/)?.[1]),
    ['as', 'client', 'secret'],
  );
  const require = createRequire(import.meta.url);
  const types = readFileSync(
    join(dirname(require.resolve('b2trader.identity.auth/package.json')), 'types', 'b2trader.identity.auth-core.d.ts'),
    'utf8',
  );
  assert.doesNotMatch(types, /from 'oauth4webapi'/, 'the published types do not import oauth4webapi');
});

test('the library error codes are exported as constants, typed by their values', () => {
  assert.deepEqual(
    errorsOf(
      "import { LIBRARY_ERROR_CODES, type LibraryErrorCode } from 'b2trader.identity.auth/core';\n" +
        "const code: LibraryErrorCode = LIBRARY_ERROR_CODES.subjectMismatch;\nconst same: 'subject_mismatch' = code === 'subject_mismatch' ? code : 'subject_mismatch';\nexport { same };\n",
    ),
    [],
  );
});
