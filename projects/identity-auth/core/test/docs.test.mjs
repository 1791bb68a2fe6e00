// Users of the repository have docs/protocol.md and the RFCs, not the team's design
// notes: the code, its messages and the README's core section cite only what they have.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const core = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(core, '..', '..', '..');

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function coreSection() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## core / Node');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

const DESIGN_NOTES = /\b(?:PROTOCOL|FAULTS)\.md\b/;

test('no file of the core and no line of its README section cites PROTOCOL.md or FAULTS.md', () => {
  const offenders = [
    ...filesUnder(core)
      .filter((file) => file !== fileURLToPath(import.meta.url))
      .map((file) => [file, readFileSync(file, 'utf8')]),
    ['README', coreSection()],
  ]
    .flatMap(([file, text]) =>
      text
        .split('\n')
        .map((line, i) => [file, i + 1, line])
        .filter(([, , line]) => DESIGN_NOTES.test(line)),
    )
    .map(([file, line, text]) => `${file.replace(root, '')}:${line}: ${text.trim()}`);
  assert.deepEqual(offenders, []);
});

test('the protocol steps cite docs/protocol.md with the section of their step', () => {
  const expected = {
    'sign-in.ts': '§1',
    'authorize.ts': '§2',
    'token.ts': '§3',
    'sign-out.ts': '§5',
    'password-grant.ts': '§6',
  };
  for (const [file, sectionNumber] of Object.entries(expected)) {
    const text = readFileSync(join(core, 'src', file), 'utf8');
    assert.match(text, new RegExp(`@see docs/protocol\\.md ${sectionNumber}`), file);
  }
  assert.match(readFileSync(join(core, 'src', 'token.ts'), 'utf8'), /@see docs\/protocol\.md §4/);
});
