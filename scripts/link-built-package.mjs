#!/usr/bin/env node
// Lets Node resolve `b2trader.identity.auth` and `b2trader.identity.auth/core` to the
// freshly built package in dist/, as an app that installed it would.
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function linkBuiltPackage() {
  const target = join(root, 'dist', 'identity-auth');
  if (!existsSync(join(target, 'package.json'))) {
    throw new Error('dist/identity-auth is missing: run `npm run build` first');
  }
  const link = join(root, 'node_modules', 'b2trader.identity.auth');
  rmSync(link, { recursive: true, force: true });
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), target), link, 'dir');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) linkBuiltPackage();
