/**
 * For server-rendered apps: the server renders every page signed out (it holds no
 * session), so a signed-in reload of a guarded route would show the sign-in page for a
 * moment before the browser restores the session. Rendering those routes in the
 * browser only (`RenderMode.Client`) avoids that.
 */
import { posix } from 'node:path';

import type { Rule, Tree } from '@angular-devkit/schematics';
import * as ts from '@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript';
import { insertImport } from '@schematics/angular/utility/ast-utils';
import { type Change, InsertChange } from '@schematics/angular/utility/change';
import { applyChangesToFile } from '@schematics/angular/utility/standalone/util';

import { callsOf, parseSource } from './source-edits.cjs';

const GUARD_PROPERTIES = ['canActivate', 'canActivateChild', 'canMatch'];

function propertyOf(route: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  const property = route.properties.find(
    (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name,
  );
  return property?.initializer;
}

function isGuardedByIdentityAuth(route: ts.ObjectLiteralExpression): boolean {
  return GUARD_PROPERTIES.some((name) => {
    const guards = propertyOf(route, name);
    return (
      guards !== undefined &&
      ts.isArrayLiteralExpression(guards) &&
      guards.elements.some((g) => ts.isIdentifier(g) && g.text === 'identityAuthGuard')
    );
  });
}

/**
 * The server-route paths of the routes `identityAuthGuard` guards: the route's own path, and
 * `path/**` when it has children (the guard covers them too). Nested routes join their parents' paths.
 */
export function guardedPaths(routes: ts.ArrayLiteralExpression, parent = ''): string[] {
  const paths: string[] = [];
  for (const route of routes.elements.filter(ts.isObjectLiteralExpression)) {
    const pathNode = propertyOf(route, 'path');
    if (!pathNode || !ts.isStringLiteralLike(pathNode)) continue;
    const path = posix.join(parent, pathNode.text).replace(/^\.$/, '');
    const children = propertyOf(route, 'children');
    const hasChildren = (children && ts.isArrayLiteralExpression(children)) || propertyOf(route, 'loadChildren');
    if (isGuardedByIdentityAuth(route) && path !== '') {
      paths.push(path);
      if (hasChildren) paths.push(`${path}/**`);
    } else if (children && ts.isArrayLiteralExpression(children)) {
      paths.push(...guardedPaths(children, path));
    }
  }
  return paths;
}

/** The array literal assigned to a variable declared with a type that names `typeName`, e.g. `Routes`. */
function arrayOfType(source: ts.SourceFile, typeName: string): ts.ArrayLiteralExpression | undefined {
  for (const statement of source.statements.filter(ts.isVariableStatement)) {
    for (const declaration of statement.declarationList.declarations) {
      const type = declaration.type?.getText(source) ?? '';
      if (new RegExp(`\\b${typeName}\\b`).test(type) && declaration.initializer) {
        if (ts.isArrayLiteralExpression(declaration.initializer)) return declaration.initializer;
      }
    }
  }
  return undefined;
}

/** The file the app's routes come from: the relative import behind `provideRouter(routes)`. */
function routesFile(tree: Tree, configFile: string): string | undefined {
  const config = parseSource(tree, configFile);
  const argument = callsOf(config, 'provideRouter')[0]?.arguments[0];
  if (!argument) return undefined;
  if (ts.isArrayLiteralExpression(argument)) return configFile;
  if (!ts.isIdentifier(argument)) return undefined;
  for (const declaration of config.statements.filter(ts.isImportDeclaration)) {
    const bindings = declaration.importClause?.namedBindings;
    const named =
      bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === argument.text);
    if (named && ts.isStringLiteral(declaration.moduleSpecifier) && declaration.moduleSpecifier.text.startsWith('.')) {
      return posix.join(posix.dirname(configFile), `${declaration.moduleSpecifier.text}.ts`);
    }
  }
  return undefined;
}

/** The entry the server routes get for a guarded path. */
function clientRoute(path: string): string {
  return `{ path: '${path}', renderMode: RenderMode.Client }`;
}

/**
 * Adds `{ path, renderMode: RenderMode.Client }` for each guarded route that has no server
 * route of its own yet, first in the list so that it wins over a catch-all `**`.
 */
export function clientRenderGuardedRoutes(configFile: string): Rule {
  return (tree, context) => {
    const serverRoutesFile = posix.join(posix.dirname(configFile), 'app.routes.server.ts');
    if (!tree.exists(serverRoutesFile)) {
      context.logger.info(`No ${serverRoutesFile}: not a server-rendered app, so no server routes to add.`);
      return;
    }
    const routesPath = routesFile(tree, configFile);
    const routes = routesPath && tree.exists(routesPath) && arrayOfType(parseSource(tree, routesPath), 'Routes');
    const paths = routes ? guardedPaths(routes) : [];
    const hint = `add ${clientRoute('<guarded path>')} to ${serverRoutesFile} for each route guarded by identityAuthGuard`;
    if (paths.length === 0) {
      context.logger.info(`No route guarded by identityAuthGuard found yet: ${hint}.`);
      return;
    }
    const source = parseSource(tree, serverRoutesFile);
    const serverRoutes = arrayOfType(source, 'ServerRoute');
    if (!serverRoutes) {
      context.logger.warn(`${serverRoutesFile} has no ServerRoute[] list written out as [...]: ${hint}.`);
      return;
    }
    const present = new Set(serverPaths(serverRoutes));
    const missing = paths.filter((path) => !present.has(path));
    if (missing.length === 0) return;
    const entries = missing.map((path) => `\n  ${clientRoute(path)},`).join('');
    const changes: Change[] = [
      new InsertChange(serverRoutesFile, serverRoutes.getStart() + 1, entries),
      insertImport(source, serverRoutesFile, 'RenderMode', '@angular/ssr'),
    ];
    applyChangesToFile(tree, serverRoutesFile, changes);
  };
}

/** The paths the server routes already name. */
function serverPaths(serverRoutes: ts.ArrayLiteralExpression): string[] {
  return serverRoutes.elements
    .filter(ts.isObjectLiteralExpression)
    .map((route) => propertyOf(route, 'path'))
    .filter((path): path is ts.StringLiteral => path !== undefined && ts.isStringLiteralLike(path))
    .map((path) => path.text);
}
