// Apps as the Angular CLI generates them (its own `workspace` and `application`
// schematics, in memory), and the built `ng add` schematic to run on them.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { SchematicTestRunner } from '@angular-devkit/schematics/testing/index.js';

export const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
/** The collection as the packed library ships it (`npm run build` puts it there). */
export const COLLECTION = join(ROOT, 'dist', 'identity-auth', 'schematics', 'collection.json');

export const runner = new SchematicTestRunner('b2trader.identity.auth', COLLECTION);

/** The project's source folder in the generated workspace. */
export const APP = '/projects/shop/src/app';

/** A fresh workspace with one application `shop`; `options` go to the application schematic. */
export async function generatedApp(options = {}) {
  const workspace = await runner.runExternalSchematic('@schematics/angular', 'workspace', {
    name: 'workspace',
    newProjectRoot: 'projects',
    version: '21.2.24',
  });
  return addApp(workspace, { name: 'shop', ...options });
}

/** Adds an application to the workspace tree with the application schematic. */
export function addApp(tree, options) {
  return runner.runExternalSchematic(
    '@schematics/angular',
    'application',
    { skipTests: true, skipPackageJson: true, ...options },
    tree,
  );
}

/** Runs `ng add`'s schematic on the tree with the given options (the schema's defaults for the rest). */
export function ngAdd(tree, options = {}) {
  return runner.runSchematic('ng-add', options, tree);
}

/** Every file of the tree with its bytes (as base64: the favicon is binary), to compare two trees. */
export function snapshot(tree) {
  return Object.fromEntries(
    tree.files
      .slice()
      .sort()
      .map((file) => [file, tree.read(file).toString('base64')]),
  );
}

/** Replaces a file's text through a function of it. */
export function edit(tree, path, change) {
  tree.overwrite(path, change(tree.readText(path)));
}

/** How often a text occurs in another. */
export function count(text, part) {
  return text.split(part).length - 1;
}
