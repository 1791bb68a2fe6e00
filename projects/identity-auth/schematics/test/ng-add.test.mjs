// `ng add b2trader.identity.auth` on apps the Angular CLI generates: standalone and
// NgModule, with and without an HttpClient of their own, run once and twice.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';

import ts from 'typescript';

import { APP, COLLECTION, ROOT, count, edit, generatedApp, ngAdd, snapshot } from './app-trees.mjs';

const CONFIG = `${APP}/app.config.ts`;
const MODULE = `${APP}/app-module.ts`;
const DEFAULT_CONFIG = "{ url: '/', clientId: 'spa', apis: ['/api/'] }";

/** The file's text, after checking that it is still valid TypeScript. */
function validSource(tree, path) {
  const text = tree.readText(path);
  const { diagnostics } = ts.transpileModule(text, { reportDiagnostics: true, fileName: path });
  assert.deepEqual(
    diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    [],
    `${path}:\n${text}`,
  );
  return text;
}

/** The named imports of a module in the source, e.g. ['provideHttpClient', 'withInterceptors']. */
function importedFrom(text, module) {
  return [...text.matchAll(/import \{([^}]*)\} from '([^']+)'/g)]
    .filter((m) => m[2] === module)
    .flatMap((m) => m[1].split(',').map((name) => name.trim()))
    .sort();
}

test('the built package names its collection, and ng add saves the package to dependencies', () => {
  const dist = join(ROOT, 'dist', 'identity-auth');
  const pkg = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'));
  assert.equal(join(dist, pkg.schematics), COLLECTION);
  assert.deepEqual(pkg['ng-add'], { save: 'dependencies' });
  const { schematics } = JSON.parse(readFileSync(COLLECTION, 'utf8'));
  const [factoryFile] = schematics['ng-add'].factory.split('#');
  // .cjs: CommonJS whatever the package's own "type"
  assert.match(factoryFile, /\.cjs$/);
  assert.ok(existsSync(join(dirname(COLLECTION), factoryFile)), 'the compiled factory');
  assert.ok(existsSync(join(dirname(COLLECTION), schematics['ng-add'].schema)), 'the schema');
});

describe('standalone apps', () => {
  test('app.config.ts gets provideIdentityAuth() and the functional interceptor, with their imports', async () => {
    const tree = await ngAdd(await generatedApp());
    const config = validSource(tree, CONFIG);
    assert.match(config, new RegExp(`provideIdentityAuth\\(${escape(DEFAULT_CONFIG)}\\)`));
    assert.match(config, /provideHttpClient\(withInterceptors\(\[identityAuthInterceptor\]\)\)/);
    assert.deepEqual(importedFrom(config, 'b2trader.identity.auth'), [
      'identityAuthInterceptor',
      'provideIdentityAuth',
    ]);
    assert.deepEqual(importedFrom(config, '@angular/common/http'), ['provideHttpClient', 'withInterceptors']);
    assert.ok(config.indexOf('provideIdentityAuth(') < config.indexOf('provideHttpClient('), 'the session first');
    assert.doesNotMatch(validSource(tree, '/projects/shop/src/main.ts'), /identity/i, 'main.ts is left alone');
  });

  test('the answers given as flags end up in the config; a list of APIs is split on commas', async () => {
    const tree = await ngAdd(await generatedApp(), {
      url: 'https://id.b2trader.example',
      clientId: 'spa',
      apis: ' /api/ , https://api.b2trader.example/frontoffice,',
    });
    assert.match(
      validSource(tree, CONFIG),
      /provideIdentityAuth\(\{ url: 'https:\/\/id\.b2trader\.example', clientId: 'spa', apis: \['\/api\/', 'https:\/\/api\.b2trader\.example\/frontoffice'\] \}\)/,
    );
  });

  test('answers that cannot work are refused before anything is written', async () => {
    const app = await generatedApp();
    await assert.rejects(ngAdd(app, { apis: 'api/' }), /"apis" entry api\/ is neither a path starting with \//);
    await assert.rejects(ngAdd(app, { url: 'ftp://id.example' }), /"url" ftp:\/\/id\.example is neither/);
    await assert.rejects(ngAdd(app, { clientId: "spa'" }), /"clientId" "spa'" is not a client id/);
    assert.doesNotMatch(app.readText(CONFIG), /identity/i);
  });

  test('an existing provideHttpClient(withInterceptors([other])) gets the interceptor appended, not a second HttpClient', async () => {
    const app = await generatedApp();
    edit(app, CONFIG, (text) =>
      text
        .replace(
          'providers: [',
          'providers: [\n    provideHttpClient(withFetch(), withInterceptors([retryInterceptor])),',
        )
        .replace(
          /^/,
          "import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';\nimport { retryInterceptor } from './retry';\n",
        ),
    );
    const config = validSource(await ngAdd(app), CONFIG);
    assert.equal(count(config, 'provideHttpClient('), 1);
    assert.match(
      config,
      /provideHttpClient\(withFetch\(\), withInterceptors\(\[retryInterceptor, identityAuthInterceptor\]\)\)/,
    );
    assert.deepEqual(importedFrom(config, '@angular/common/http'), [
      'provideHttpClient',
      'withFetch',
      'withInterceptors',
    ]);
    assert.deepEqual(importedFrom(config, 'b2trader.identity.auth'), [
      'identityAuthInterceptor',
      'provideIdentityAuth',
    ]);
  });

  test('an existing provideHttpClient() without interceptors gets withInterceptors([identityAuthInterceptor])', async () => {
    const app = await generatedApp();
    edit(app, CONFIG, (text) =>
      text
        .replace('providers: [', 'providers: [\n    provideHttpClient(),')
        .replace(/^/, "import { provideHttpClient } from '@angular/common/http';\n"),
    );
    const config = validSource(await ngAdd(app), CONFIG);
    assert.equal(count(config, 'provideHttpClient('), 1);
    assert.match(config, /provideHttpClient\(withInterceptors\(\[identityAuthInterceptor\]\)\)/);
    assert.deepEqual(importedFrom(config, '@angular/common/http'), ['provideHttpClient', 'withInterceptors']);
  });

  test('a withInterceptors() list that is not written out is left to the developer, with a warning', async () => {
    const app = await generatedApp();
    edit(app, CONFIG, (text) =>
      text
        .replace('providers: [', 'providers: [\n    provideHttpClient(withInterceptors(interceptors)),')
        .replace(
          /^/,
          "import { provideHttpClient, withInterceptors } from '@angular/common/http';\nconst interceptors = [];\n",
        ),
    );
    const warnings = [];
    const { runner } = await import('./app-trees.mjs');
    const subscription = runner.logger.subscribe((entry) => entry.level === 'warn' && warnings.push(entry.message));
    try {
      const config = validSource(await ngAdd(app), CONFIG);
      assert.match(config, /provideHttpClient\(withInterceptors\(interceptors\)\)/);
    } finally {
      subscription.unsubscribe();
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /add identityAuthInterceptor to its interceptors yourself/);
  });

  test('an app already set up is left as it is', async () => {
    const once = await ngAdd(await generatedApp());
    const before = snapshot(once);
    const twice = await ngAdd(once, { url: 'https://other.example', apis: '/other/' });
    assert.deepEqual(snapshot(twice), before);
  });
});

describe('NgModule apps', () => {
  test("the root module imports IdentityAuthModule.forRoot() and provides HttpClient withInterceptorsFromDi(), as the README's NgModule setup", async () => {
    const tree = await ngAdd(await generatedApp({ standalone: false }));
    const module = validSource(tree, MODULE);
    assert.match(module, new RegExp(`imports: \\[[^\\]]*IdentityAuthModule\\.forRoot\\(${escape(DEFAULT_CONFIG)}\\)`));
    assert.match(module, /providers: \[[\s\S]*provideHttpClient\(withInterceptorsFromDi\(\)\)/);
    assert.deepEqual(importedFrom(module, 'b2trader.identity.auth'), ['IdentityAuthModule']);
    assert.deepEqual(importedFrom(module, '@angular/common/http'), ['provideHttpClient', 'withInterceptorsFromDi']);
    // forRoot() registers the class interceptor itself
    assert.doesNotMatch(module, /HTTP_INTERCEPTORS|IdentityAuthInterceptor\b/);
    assert.doesNotMatch(validSource(tree, `${APP}/app.ts`), /identity/i);
  });

  test('an existing provideHttpClient(withFetch()) gets withInterceptorsFromDi() added', async () => {
    const app = await generatedApp({ standalone: false });
    edit(app, MODULE, (text) =>
      text
        .replace('providers: [', 'providers: [\n    provideHttpClient(withFetch()),')
        .replace(/^/, "import { provideHttpClient, withFetch } from '@angular/common/http';\n"),
    );
    const module = validSource(await ngAdd(app), MODULE);
    assert.equal(count(module, 'provideHttpClient('), 1);
    assert.match(module, /provideHttpClient\(withFetch\(\), withInterceptorsFromDi\(\)\)/);
    assert.deepEqual(importedFrom(module, '@angular/common/http'), [
      'provideHttpClient',
      'withFetch',
      'withInterceptorsFromDi',
    ]);
  });

  test('running it twice changes nothing', async () => {
    const once = await ngAdd(await generatedApp({ standalone: false }), { proxy: true });
    const before = snapshot(once);
    assert.deepEqual(snapshot(await ngAdd(once, { proxy: true })), before);
  });
});

describe('development proxy (--proxy)', () => {
  test('is off by default', async () => {
    const tree = await ngAdd(await generatedApp());
    assert.equal(tree.exists('/projects/shop/proxy.conf.json'), false);
    assert.equal(JSON.parse(tree.readText('/angular.json')).projects.shop.architect.serve.options, undefined);
  });

  test('writes proxy.conf.json (/identity and /api to the emulator) and sets the serve target proxyConfig', async () => {
    const tree = await ngAdd(await generatedApp(), { proxy: true });
    const route = { target: 'http://127.0.0.1:5055', secure: false, changeOrigin: false };
    assert.deepEqual(JSON.parse(tree.readText('/projects/shop/proxy.conf.json')), {
      '/identity': route,
      '/api': route,
    });
    const serve = JSON.parse(tree.readText('/angular.json')).projects.shop.architect.serve;
    assert.equal(serve.options.proxyConfig, 'projects/shop/proxy.conf.json');
  });

  test("completes the app's own proxy file without changing its routes", async () => {
    const app = await generatedApp();
    app.create('/proxy.conf.json', JSON.stringify({ '/api': { target: 'http://127.0.0.1:8080' } }));
    edit(app, '/angular.json', (text) => {
      const workspace = JSON.parse(text);
      workspace.projects.shop.architect.serve.options = { proxyConfig: 'proxy.conf.json' };
      return JSON.stringify(workspace, null, 2);
    });
    const tree = await ngAdd(app, { proxy: true, proxyTarget: 'http://127.0.0.1:5056' });
    assert.deepEqual(JSON.parse(tree.readText('/proxy.conf.json')), {
      '/api': { target: 'http://127.0.0.1:8080' },
      '/identity': { target: 'http://127.0.0.1:5056', secure: false, changeOrigin: false },
    });
    assert.equal(tree.exists('/projects/shop/proxy.conf.json'), false);
  });
});

describe('server-rendered apps (--client-render-guarded-routes)', () => {
  const routes = `import { Routes } from '@angular/router';
import { identityAuthGuard } from 'b2trader.identity.auth';

export const routes: Routes = [
  { path: '', children: [] },
  { path: 'desk', canActivate: [identityAuthGuard], children: [{ path: 'orders', children: [] }] },
  { path: 'admin', children: [{ path: 'users', canMatch: [identityAuthGuard], children: [] }] },
];
`;

  test('the guarded routes render in the browser only, ahead of the catch-all', async () => {
    const app = await generatedApp({ ssr: true });
    app.overwrite(`${APP}/app.routes.ts`, routes);
    const tree = await ngAdd(app, { clientRenderGuardedRoutes: true });
    const serverRoutes = validSource(tree, `${APP}/app.routes.server.ts`);
    const paths = [...serverRoutes.matchAll(/path: '([^']*)', renderMode: RenderMode\.Client/g)].map((m) => m[1]);
    assert.deepEqual(paths, ['desk', 'desk/**', 'admin/users', 'admin/users/**']);
    assert.ok(serverRoutes.indexOf('RenderMode.Client') < serverRoutes.indexOf("path: '**'"));
    assert.deepEqual(snapshot(await ngAdd(tree, { clientRenderGuardedRoutes: true })), snapshot(tree), 'idempotent');
  });

  test('without guarded routes yet, or without server rendering, nothing is added', async () => {
    const ssr = await generatedApp({ ssr: true });
    const before = ssr.readText(`${APP}/app.routes.server.ts`);
    assert.equal(
      (await ngAdd(ssr, { clientRenderGuardedRoutes: true })).readText(`${APP}/app.routes.server.ts`),
      before,
    );
    const browserOnly = await ngAdd(await generatedApp(), { clientRenderGuardedRoutes: true });
    assert.equal(browserOnly.exists(`${APP}/app.routes.server.ts`), false);
  });
});

/** The text as a literal part of a regular expression. */
function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
