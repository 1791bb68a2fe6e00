/**
 * `ng add b2trader.identity.auth`: sets the library up the way the README's Getting
 * started does, in a standalone app (`app.config.ts`) or an NgModule app (the root
 * module). Running it again changes nothing: every step first looks for what it adds.
 */
import { type Rule, SchematicsException, type Tree, chain, noop } from '@angular-devkit/schematics';
import { addRootImport, addRootProvider, readWorkspace } from '@schematics/angular/utility';
import { getAppModulePath, isStandaloneApp } from '@schematics/angular/utility/ng-ast-utils';
import { findAppConfig } from '@schematics/angular/utility/standalone/app_config';
import {
  applyChangesToFile,
  findBootstrapApplicationCall,
  getMainFilePath,
} from '@schematics/angular/utility/standalone/util';

import { checkAnswers, configLiteral } from './config-code.cjs';
import { addDevProxy } from './dev-proxy.cjs';
import type { NgAddOptions } from './schema.cjs';
import { clientRenderGuardedRoutes } from './server-routes.cjs';
import {
  callsOf,
  mergeFunctionalInterceptor,
  mergeInterceptorsFromDi,
  parseSource,
  usesName,
} from './source-edits.cjs';

const LIBRARY = 'b2trader.identity.auth';
const HTTP = '@angular/common/http';

/** The schematic's entry point (collection.json). */
export function ngAdd(options: NgAddOptions): Rule {
  return async (tree) => {
    checkAnswers(options);
    const project = await applicationProject(tree, options.project);
    const mainFile = await getMainFilePath(tree, project);
    const standalone = isStandaloneApp(tree, mainFile);
    const rootFile = standalone ? standaloneConfigFile(tree, mainFile) : getAppModulePath(tree, mainFile);
    const config = configLiteral(options);
    return chain([
      standalone
        ? addProvideIdentityAuth(project, [rootFile, mainFile], config)
        : addIdentityAuthModule(project, rootFile, config),
      standalone ? addFunctionalInterceptor(project, [rootFile, mainFile]) : addInterceptorsFromDi(project, rootFile),
      options.proxy ? addDevProxy(project, options.proxyTarget) : noop(),
      options.clientRenderGuardedRoutes ? serverRoutesStep(standalone, rootFile) : noop(),
    ]);
  };
}

/** The named project, or the workspace's only application. */
async function applicationProject(tree: Tree, name: string | undefined): Promise<string> {
  const workspace = await readWorkspace(tree);
  if (name) {
    if (!workspace.projects.has(name)) throw new SchematicsException(`There is no project ${name} in angular.json.`);
    return name;
  }
  const applications = [...workspace.projects].filter(([, p]) => p.extensions['projectType'] === 'application');
  if (applications.length !== 1) {
    throw new SchematicsException('Name the application to set up with --project.');
  }
  return applications[0][0];
}

/** The file holding the `ApplicationConfig` (app.config.ts), or main.ts when the providers are there. */
function standaloneConfigFile(tree: Tree, mainFile: string): string {
  return findAppConfig(findBootstrapApplicationCall(tree, mainFile), tree, mainFile)?.filePath ?? mainFile;
}

/** `provideIdentityAuth(config)` in the app config, unless the app config or main.ts has it. */
function addProvideIdentityAuth(project: string, files: string[], config: string): Rule {
  return (tree) => {
    if (files.some((file) => callsOf(parseSource(tree, file), 'provideIdentityAuth').length > 0)) return noop();
    return addRootProvider(
      project,
      ({ code, external }) => code`${external('provideIdentityAuth', LIBRARY)}(${config})`,
    );
  };
}

/** `IdentityAuthModule.forRoot(config)` in the root module's imports, unless the module is there. */
function addIdentityAuthModule(project: string, moduleFile: string, config: string): Rule {
  return (tree) => {
    if (usesName(parseSource(tree, moduleFile), 'IdentityAuthModule')) return noop();
    return addRootImport(
      project,
      ({ code, external }) => code`${external('IdentityAuthModule', LIBRARY)}.forRoot(${config})`,
    );
  };
}

/**
 * Standalone apps: `identityAuthInterceptor` in `provideHttpClient(withInterceptors([...]))`,
 * merged into the app's own `provideHttpClient(...)` when it has one.
 */
function addFunctionalInterceptor(project: string, files: string[]): Rule {
  return (tree, context) => {
    for (const file of new Set(files)) {
      const source = parseSource(tree, file);
      const existing = callsOf(source, 'provideHttpClient')[0];
      if (!existing) continue;
      const merge = mergeFunctionalInterceptor(source, file, existing);
      if (merge.kind === 'manual') {
        context.logger.warn(
          `provideHttpClient() in ${file}: ${merge.reason}; add identityAuthInterceptor to its interceptors yourself.`,
        );
      }
      if (merge.kind === 'edit') {
        applyChangesToFile(tree, file, merge.changes);
        context.logger.info(
          `identityAuthInterceptor added last in ${file}: keep it after interceptors that rewrite URLs and before those that retry.`,
        );
      }
      return noop();
    }
    return addRootProvider(
      project,
      ({ code, external }) =>
        code`${external('provideHttpClient', HTTP)}(${external('withInterceptors', HTTP)}([${external('identityAuthInterceptor', LIBRARY)}]))`,
    );
  };
}

/**
 * NgModule apps: `forRoot()` registers the class interceptor in `HTTP_INTERCEPTORS`, which
 * `HttpClient` consults only with `withInterceptorsFromDi()` (or the deprecated `HttpClientModule`).
 */
function addInterceptorsFromDi(project: string, moduleFile: string): Rule {
  return (tree) => {
    const source = parseSource(tree, moduleFile);
    const existing = callsOf(source, 'provideHttpClient')[0];
    if (existing) {
      applyChangesToFile(tree, moduleFile, mergeInterceptorsFromDi(source, moduleFile, existing));
      return noop();
    }
    if (usesName(source, 'HttpClientModule')) return noop();
    return addRootProvider(
      project,
      ({ code, external }) =>
        code`${external('provideHttpClient', HTTP)}(${external('withInterceptorsFromDi', HTTP)}())`,
    );
  };
}

/** Client rendering of guarded routes: found automatically in standalone apps' `provideRouter(routes)`. */
function serverRoutesStep(standalone: boolean, configFile: string): Rule {
  if (standalone) return clientRenderGuardedRoutes(configFile);
  return (_tree, context) => {
    context.logger.info(
      "NgModule app: add { path: '<guarded path>', renderMode: RenderMode.Client } to the server routes yourself.",
    );
  };
}
