/**
 * Reading and editing the app's TypeScript through the syntax tree (the TypeScript
 * that @schematics/angular bundles, so that its helpers accept our nodes).
 */
import { type Tree, SchematicsException } from '@angular-devkit/schematics';
import * as ts from '@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript';
import { insertImport } from '@schematics/angular/utility/ast-utils';
import { type Change, InsertChange } from '@schematics/angular/utility/change';

/** The file parsed, or a clear error when it is missing. */
export function parseSource(tree: Tree, path: string): ts.SourceFile {
  if (!tree.exists(path)) throw new SchematicsException(`${path} does not exist.`);
  return ts.createSourceFile(path, tree.readText(path), ts.ScriptTarget.Latest, true);
}

/** Every node of the file, depth first. */
function descendants(node: ts.Node): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (child: ts.Node) => {
    found.push(child);
    ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/** The calls of a function called by its plain name, e.g. every `provideHttpClient(...)`. */
export function callsOf(node: ts.Node, name: string): ts.CallExpression[] {
  return descendants(node).filter(
    (n): n is ts.CallExpression =>
      ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name,
  );
}

/** Whether the name is used in the code (imports aside): a call, a reference, an element of a list. */
export function usesName(source: ts.SourceFile, name: string): boolean {
  return descendants(source).some(
    (n) => ts.isIdentifier(n) && n.text === name && !isInImportDeclaration(n) && !isPropertyName(n),
  );
}

/** The `key` of `{ key: value }`: a name, not a use of it. */
function isPropertyName(node: ts.Identifier): boolean {
  return ts.isPropertyAssignment(node.parent) && node.parent.name === node;
}

function isInImportDeclaration(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.isImportDeclaration(n)) return true;
  }
  return false;
}

/** Inserts an argument after the call's last one (or as its only one). */
function appendArgument(path: string, call: ts.CallExpression, code: string): Change {
  const args = call.arguments;
  return args.length === 0
    ? new InsertChange(path, args.pos, code)
    : new InsertChange(path, args[args.length - 1].getEnd(), `, ${code}`);
}

/** Inserts an element after the array's last one (or as its only one). */
function appendElement(path: string, array: ts.ArrayLiteralExpression, code: string): Change {
  const elements = array.elements;
  return elements.length === 0
    ? new InsertChange(path, array.getStart() + 1, code)
    : new InsertChange(path, elements[elements.length - 1].getEnd(), `, ${code}`);
}

/** What merging the interceptor into an existing `provideHttpClient(...)` amounts to. */
export type InterceptorMerge =
  { kind: 'present' } | { kind: 'edit'; changes: Change[] } | { kind: 'manual'; reason: string };

/**
 * Adds `identityAuthInterceptor` to the `withInterceptors([...])` of a `provideHttpClient(...)`
 * call, or `withInterceptors([identityAuthInterceptor])` to the call when it has none. It goes
 * last: after interceptors that rewrite URLs, as the library's decision uses the URL it receives.
 */
export function mergeFunctionalInterceptor(
  source: ts.SourceFile,
  path: string,
  provideHttpClient: ts.CallExpression,
): InterceptorMerge {
  const libraryImport = insertImport(source, path, 'identityAuthInterceptor', 'b2trader.identity.auth');
  const withInterceptors = provideHttpClient.arguments
    .filter(ts.isCallExpression)
    .find((arg) => ts.isIdentifier(arg.expression) && arg.expression.text === 'withInterceptors');
  if (!withInterceptors) {
    return {
      kind: 'edit',
      changes: [
        appendArgument(path, provideHttpClient, 'withInterceptors([identityAuthInterceptor])'),
        insertImport(source, path, 'withInterceptors', '@angular/common/http'),
        libraryImport,
      ],
    };
  }
  const list = withInterceptors.arguments[0];
  if (!list || !ts.isArrayLiteralExpression(list)) {
    return { kind: 'manual', reason: 'its withInterceptors() list is not written out as [...]' };
  }
  if (list.elements.some((e) => ts.isIdentifier(e) && e.text === 'identityAuthInterceptor')) {
    return { kind: 'present' };
  }
  return { kind: 'edit', changes: [appendElement(path, list, 'identityAuthInterceptor'), libraryImport] };
}

/** Adds `withInterceptorsFromDi()` to a `provideHttpClient(...)` call unless it is there. */
export function mergeInterceptorsFromDi(
  source: ts.SourceFile,
  path: string,
  provideHttpClient: ts.CallExpression,
): Change[] {
  if (callsOf(provideHttpClient, 'withInterceptorsFromDi').length > 0) return [];
  return [
    appendArgument(path, provideHttpClient, 'withInterceptorsFromDi()'),
    insertImport(source, path, 'withInterceptorsFromDi', '@angular/common/http'),
  ];
}
