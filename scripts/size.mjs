#!/usr/bin/env node
// What the library adds to an app's bundle: production `ng build`s of one small
// standalone app (router, HttpClient, a request to a protected API, login, refresh and
// sign-out buttons) with the library and without it, compared in gzip bytes. Prints the
// difference, which packages the added bytes come from (the build's stats), which of the
// library's source files (its source maps), and each entry point bundled alone.
// Not part of `npm test`: sizes are a figure to report, not a pass/fail line.
//
// Usage: node scripts/size.mjs [--skip-library-build]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { build as esbuild } from 'esbuild';

import { bytesBySource } from '../bench/lib/source-map-bytes.mjs';
import { linkBuiltPackage } from './link-built-package.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// under dist/ (ignored by git and the linters), where the apps resolve packages from the
// repository's node_modules as an installed app does; not under node_modules, whose
// files TypeScript treats as libraries, not as an app's sources
const work = join(root, 'dist', 'size-apps');

const COMPONENT = `import { HttpClient } from '@angular/common/http';
import { Component, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
__IMPORTS__
@Component({
  selector: 'app-root',
  imports: [RouterOutlet],
  template: \`<button (click)="login()">Sign in</button> <button (click)="refresh()">Refresh</button>
    <button (click)="signOut()">Sign out</button> <button (click)="load()">Load</button> {{ text }}
    <router-outlet />\`,
})
export class App {
  private readonly http = inject(HttpClient);
__MEMBERS__
  text = '';
  load(): void {
    this.http.get<{ accountId: string }>('/api/frontoffice/v1/account').subscribe((a) => (this.text = a.accountId));
  }
}
`;

const APPS = {
  with: {
    imports: `import { identityAuthInterceptor, IdentityAuthService, provideIdentityAuth } from 'b2trader.identity.auth';`,
    members: `  private readonly auth = inject(IdentityAuthService);
  login(): void {
    this.auth.login('trader@example.com', 'secret').subscribe((step) => (this.text = step.step));
  }
  refresh(): void {
    this.auth.refreshToken().subscribe((session) => (this.text = String(session.expiresAt)));
  }
  signOut(): void {
    this.auth.signOut().subscribe((result) => (this.text = String(result.serverNotified)));
  }`,
    providers: `provideIdentityAuth({ url: '/', clientId: 'spa', apis: ['/api/'] }),
    provideHttpClient(withInterceptors([identityAuthInterceptor])),`,
  },
  without: {
    imports: '',
    members: `  login(): void {
    this.text = 'signing-in';
  }
  refresh(): void {
    this.text = 'refreshed';
  }
  signOut(): void {
    this.text = 'signed-out';
  }`,
    providers: `provideHttpClient(withInterceptors([])),`,
  },
};

function main(app) {
  return `import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
${app === 'with' ? APPS.with.imports : ''}
import { App } from './app';

bootstrapApplication(App, {
  providers: [
    provideRouter([]),
    ${APPS[app].providers}
  ],
}).catch((err) => console.error(err));
`;
}

function writeWorkspace() {
  rmSync(work, { recursive: true, force: true });
  const projects = {};
  for (const [name, app] of Object.entries(APPS)) {
    const src = join(work, name);
    mkdirSync(src, { recursive: true });
    writeFileSync(
      join(src, 'app.ts'),
      COMPONENT.replace('__IMPORTS__', app.imports ? `${app.imports}\n` : '').replace('__MEMBERS__', app.members),
    );
    writeFileSync(join(src, 'main.ts'), main(name));
    writeFileSync(
      join(src, 'index.html'),
      '<!doctype html><html><head><base href="/"></head><body><app-root></app-root></body></html>\n',
    );
    projects[name] = {
      projectType: 'application',
      root: '',
      sourceRoot: name,
      architect: {
        build: {
          builder: '@angular/build:application',
          options: {
            browser: `${name}/main.ts`,
            index: `${name}/index.html`,
            tsConfig: 'tsconfig.json',
            outputPath: `dist/${name}`,
            outputHashing: 'none',
            budgets: [],
            optimization: true,
            // the library's source maps give the per-file view; the maps are separate files
            sourceMap: name === 'with' ? { scripts: true, vendor: true } : false,
            extractLicenses: false,
          },
        },
      },
    };
  }
  writeFileSync(join(work, 'angular.json'), JSON.stringify({ version: 1, newProjectRoot: '.', projects }, null, 2));
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'preserve',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'dom'],
          skipLibCheck: true,
        },
        files: ['with/main.ts', 'without/main.ts'],
        angularCompilerOptions: { strictTemplates: true },
      },
      null,
      2,
    ),
  );
}

function build(name) {
  execFileSync('npx', ['ng', 'build', name, '--stats-json'], {
    cwd: work,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
  });
  const out = join(work, 'dist', name, 'browser');
  let raw = 0;
  let gzip = 0;
  for (const file of readdirSync(out).filter((f) => f.endsWith('.js'))) {
    // without the source-map comment, so that the two builds compare alike
    const bytes = Buffer.from(readFileSync(join(out, file), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, ''));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip, out, stats: JSON.parse(readFileSync(join(work, 'dist', name, 'stats.json'), 'utf8')) };
}

/** Minified bytes of the built app by the library's source file (and oauth4webapi), from its source maps. */
function bySourceFile(out) {
  const sizes = new Map();
  for (const file of readdirSync(out).filter((f) => f.endsWith('.js'))) {
    const map = JSON.parse(readFileSync(join(out, `${file}.map`), 'utf8'));
    for (const [source, bytes] of Object.entries(bytesBySource(readFileSync(join(out, file), 'utf8'), map))) {
      const own = /projects\/identity-auth\/(.+)$/.exec(source);
      const key = own ? own[1] : source.includes('/oauth4webapi/') ? 'oauth4webapi' : undefined;
      if (key) sizes.set(key, (sizes.get(key) ?? 0) + bytes);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

/**
 * Each entry point bundled alone with every export kept, as a production build minifies it
 * (`ngDevMode` false), its dependencies left out: what the entry point itself weighs.
 */
async function entryPointsAlone() {
  const sizes = [];
  for (const entry of ['b2trader.identity.auth', 'b2trader.identity.auth/core', 'b2trader.identity.auth/testing']) {
    const result = await esbuild({
      stdin: { contents: `export * from '${entry}';`, resolveDir: root },
      bundle: true,
      format: 'esm',
      minify: true,
      write: false,
      define: { ngDevMode: 'false' },
      // the other entry points too: each is counted on its own
      external: ['@angular/*', 'rxjs', 'rxjs/*', 'oauth4webapi', 'tslib'],
      plugins: [
        {
          name: 'other-entry-points',
          setup(b) {
            b.onResolve({ filter: /^b2trader\.identity\.auth/ }, (args) =>
              args.importer === '<stdin>' ? undefined : { path: args.path, external: true },
            );
          },
        },
      ],
      logLevel: 'silent',
    });
    const bytes = result.outputFiles[0].contents;
    sizes.push([entry, bytes.length, gzipSync(bytes, { level: 9 }).length]);
  }
  return sizes;
}

/** Bytes in the output by package (or the library's entry point), from esbuild's metafile. */
function byPackage(stats) {
  const sizes = new Map();
  for (const output of Object.values(stats.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const library = /identity-auth\/fesm2022\/(.+)\.mjs$/.exec(input);
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = library ? library[1] : pkg ? pkg[1] : 'the app';
      sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
    }
  }
  return sizes;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

if (!process.argv.includes('--skip-library-build')) {
  execFileSync('npx', ['ng', 'build', 'identity-auth'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
linkBuiltPackage();
writeWorkspace();
const withLibrary = build('with');
const without = build('without');
const added = { raw: withLibrary.raw - without.raw, gzip: withLibrary.gzip - without.gzip };

const before = byPackage(without.stats);
const grown = [...byPackage(withLibrary.stats)]
  .map(([name, bytes]) => [name, bytes - (before.get(name) ?? 0)])
  .filter(([, bytes]) => bytes > 0)
  .sort((a, b) => b[1] - a[1]);
console.log(`app without the library: ${kb(without.raw)} minified, ${kb(without.gzip)} gzip`);
console.log(`app with the library:    ${kb(withLibrary.raw)} minified, ${kb(withLibrary.gzip)} gzip`);
console.log(`the library adds:        ${kb(added.raw)} minified, ${kb(added.gzip)} gzip`);
console.log('added minified bytes by source:');
for (const [name, bytes] of grown) console.log(`  ${name.padEnd(40)} ${kb(bytes)}`);
console.log("the library's part by source file (minified):");
for (const [name, bytes] of bySourceFile(withLibrary.out)) console.log(`  ${name.padEnd(50)} ${kb(bytes)}`);
console.log('each entry point alone (every export, production minification, dependencies left out):');
for (const [name, raw, gzip] of await entryPointsAlone())
  console.log(`  ${name.padEnd(40)} ${kb(raw)} minified, ${kb(gzip)} gzip`);
if (process.argv.includes('--json'))
  console.log(JSON.stringify({ added, without, with: withLibrary }, ['added', 'raw', 'gzip']));
