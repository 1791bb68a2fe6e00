// The README's app: its ```ts blocks as the files of a small Angular workspace of its
// own (angular.json, tsconfig.json, src/), as an app developer would have copied them.
// main.ts boots the Quick start's app with the complete sign-in page on its sign-in
// route. scripts/test/readme-examples.test.mjs compiles it with Angular's compiler;
// e2e/emulator-package.test.mjs serves it with the README's development recipe and
// signs in through it in Chromium.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * ```ts (or ```js) blocks of a markdown text, with the line each starts on, and the
 * repository file a block quotes when a `<!-- quoted from <path>` comment precedes it.
 */
export function readmeExamples(markdown, offset = 0, lang = 'ts') {
  const found = [];
  const pattern = new RegExp(`^(?:<!-- quoted from (\\S+?):? [^\\n]*\\n)?\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\``, 'gm');
  for (let match = pattern.exec(markdown); match; match = pattern.exec(markdown)) {
    const line = offset + markdown.slice(0, match.index).split('\n').length + (match[1] ? 1 : 0);
    found.push({ code: match[2], line, quotes: match[1] });
  }
  return found;
}

/** A quoted spec file: part of an app's tests, not of the app. */
export const isSpecBlock = (block) => Boolean(block.quotes?.endsWith('.spec.ts'));

/**
 * The file a block goes to: a quoted block under its file's name (the sign-in page
 * imports `./sign-in-message`), another under the name its first-line comment gives
 * (`// sign-in-page.ts`), else under its line.
 */
function fileNameOf(block, index) {
  if (block.quotes) return basename(block.quotes);
  return /^\/\/ ([\w.-]+\.ts)\b/.exec(block.code)?.[1] ?? `readme-line-${block.line}-${index}.ts`;
}

/** Boots the Quick start's app (app.config.ts) with the complete sign-in page (sign-in-page.ts). */
const MAIN_TS = `import { bootstrapApplication } from '@angular/platform-browser';

import { App, appConfig, routes } from './app.config';
import { SignInPage } from './sign-in-page';

const signInRoute = routes.find((route) => route.path === 'sign-in');
if (!signInRoute) throw new Error("the Quick start's routes have no sign-in route");
signInRoute.component = SignInPage;

bootstrapApplication(App, appConfig).catch((error: unknown) => console.error(error));
`;

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>README app</title>
    <base href="/" />
    <link rel="icon" href="data:," />
  </head>
  <body>
    <app-root></app-root>
  </body>
</html>
`;

/** An app's strict TypeScript and template settings; the package resolves from the repository's node_modules. */
const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noImplicitOverride: true,
    noImplicitReturns: true,
    skipLibCheck: true,
    isolatedModules: true,
    target: 'ES2022',
    module: 'preserve',
    lib: ['ES2022', 'dom', 'dom.iterable'],
    types: [],
  },
  angularCompilerOptions: { strictInjectionParameters: true, strictInputAccessModifiers: true, strictTemplates: true },
  files: ['src/main.ts'],
};

const ANGULAR_JSON = {
  $schema: '../../node_modules/@angular/cli/lib/config/schema.json',
  version: 1,
  cli: { analytics: false },
  projects: {
    'readme-app': {
      projectType: 'application',
      root: '',
      sourceRoot: 'src',
      architect: {
        build: {
          builder: '@angular/build:application',
          options: { browser: 'src/main.ts', index: 'src/index.html', tsConfig: 'tsconfig.json', outputPath: 'out' },
          configurations: { development: { optimization: false, extractLicenses: false, sourceMap: true } },
          defaultConfiguration: 'development',
        },
        serve: {
          builder: '@angular/build:dev-server',
          configurations: { development: { buildTarget: 'readme-app:build:development' } },
          defaultConfiguration: 'development',
        },
      },
    },
  },
};

/**
 * Writes the README's app into `dir` (emptied first): every ```ts block but the quoted
 * specs under `src/`, with main.ts, index.html, tsconfig.json and angular.json.
 * Returns the TypeScript files of `src/`, main.ts included.
 */
export function writeReadmeApp(dir, readme) {
  rmSync(dir, { recursive: true, force: true });
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  const files = [];
  readmeExamples(readme)
    .filter((block) => !isSpecBlock(block))
    .forEach((block, index) => {
      const file = join(src, fileNameOf(block, index));
      if (files.includes(file)) throw new Error(`README.md line ${block.line}: a second block for ${basename(file)}`);
      writeFileSync(file, `${block.code}\nexport {};\n`);
      files.push(file);
    });
  writeFileSync(join(src, 'main.ts'), MAIN_TS);
  writeFileSync(join(src, 'index.html'), INDEX_HTML);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  writeFileSync(join(dir, 'angular.json'), `${JSON.stringify(ANGULAR_JSON, null, 2)}\n`);
  return [...files, join(src, 'main.ts')];
}
