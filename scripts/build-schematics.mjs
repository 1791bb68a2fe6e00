#!/usr/bin/env node
// Adds the `ng add` schematic to the built package: ng-packagr builds dist/identity-auth
// (and empties it first), then this compiles projects/identity-auth/schematics to CommonJS
// in dist/identity-auth/schematics with its collection.json and schema.json beside it.
// The sources are .cts so that the output is .cjs: CommonJS whatever the package's "type"
// (a nested package.json saying so would not be packed by npm).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'projects', 'identity-auth', 'schematics');
const target = join(root, 'dist', 'identity-auth', 'schematics');

/** The JSON files the Angular CLI reads next to the compiled code, as paths relative to the schematics folder. */
const JSON_FILES = ['collection.json', join('ng-add', 'schema.json')];

export function buildSchematics() {
  if (!existsSync(join(root, 'dist', 'identity-auth', 'package.json'))) {
    throw new Error('dist/identity-auth is missing: build the library (ng build identity-auth) first');
  }
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(source, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
  for (const file of JSON_FILES) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(source, file), join(target, file));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildSchematics();
