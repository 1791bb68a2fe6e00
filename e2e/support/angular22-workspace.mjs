// An Angular 22 consumer workspace under e2e/out/angular22/, for e2e/angular22.test.mjs.
// Angular 22 needs Node ^22.22.3 and the repository runs on Node 20, so the workspace gets
// its own Node from the registry's `node` package and runs every command of its own with
// that Node first on PATH; the system Node is never touched.
//
// Preparing (Node 22 and the workspace's dependencies, without the library) is slow only the
// first time and is cached, keyed by what decides its result. It can run ahead of the test:
// `node e2e/support/angular22-workspace.mjs` prepares and exits; a test that starts meanwhile
// waits for it through a lock instead of installing twice.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const REPO_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The Node that runs the Angular 22 workspace (the `node` package; Angular 22 wants ^22.22.3). */
export const NODE_VERSION = '22.23.3';
/** One Angular 22.2 release for every `@angular/*` package of the workspace. */
export const ANGULAR_VERSION = '22.2.6';

/** Everything the Angular 22 test keeps between runs (git-ignored: e2e/out/). */
export const WORKSPACE_ROOT = join(REPO_ROOT, 'e2e', 'out', 'angular22');
const NODE_DIR = join(WORKSPACE_ROOT, `node-${NODE_VERSION}`);
/** The Node 22 binary's folder, put first on PATH for the workspace's commands. */
export const NODE_BIN_DIR = join(NODE_DIR, 'node_modules', 'node', 'bin');
/** The consumer app: package.json, node_modules, angular.json and a copy of e2e/consumer-app's sources. */
export const APP_DIR = join(WORKSPACE_ROOT, 'app');
const LOCK_DIR = join(WORKSPACE_ROOT, 'prepare.lock');
const APP_KEY_FILE = join(APP_DIR, '.prepared-key');

/** A new Angular 22.2 app's dependencies, as `ng new` would write them, with exact versions. */
export const APP_MANIFEST = Object.freeze({
  name: 'b2trader-identity-auth-angular22-consumer',
  private: true,
  description: 'An Angular 22 app that installs the packed library; built and driven by e2e/angular22.test.mjs',
  license: 'BSD-3-Clause',
  dependencies: {
    '@angular/common': ANGULAR_VERSION,
    '@angular/compiler': ANGULAR_VERSION,
    '@angular/core': ANGULAR_VERSION,
    '@angular/platform-browser': ANGULAR_VERSION,
    '@angular/router': ANGULAR_VERSION,
    rxjs: '7.8.2',
    tslib: '2.8.1',
    'zone.js': '0.16.3',
  },
  devDependencies: {
    '@angular/build': ANGULAR_VERSION,
    '@angular/cli': ANGULAR_VERSION,
    '@angular/compiler-cli': ANGULAR_VERSION,
    // @angular/compiler-cli 22.2 asks for typescript >=6.0 <6.1
    typescript: '6.0.3',
  },
});

/** How long a test waits for a preparation that another process is running. */
const LOCK_WAIT_MS = 5 * 60 * 1000;

/** What an enclosing `npm test` sets that names its own Node or project, not the workspace's. */
const OUTER_NPM_VARIABLES = ['NODE', 'INIT_CWD', 'npm_node_execpath', 'npm_config_nodedir', 'npm_config_local_prefix'];

/**
 * The environment of the workspace's commands: Node 22 first on PATH, npm's peer checks at
 * their defaults whatever the caller's npm configuration says, no analytics prompt.
 * @param {NodeJS.ProcessEnv} [base]
 * @returns {NodeJS.ProcessEnv}
 */
export function workspaceEnv(base = process.env) {
  const inherited = Object.fromEntries(Object.entries(base).filter(([name]) => !OUTER_NPM_VARIABLES.includes(name)));
  return {
    ...inherited,
    PATH: `${NODE_BIN_DIR}${delimiter}${base.PATH ?? ''}`,
    npm_config_legacy_peer_deps: 'false',
    npm_config_force: 'false',
    NG_CLI_ANALYTICS: 'false',
  };
}

/**
 * Runs one command of the workspace; a failure carries its name and the command's output.
 * @param {string} name what the step does, for the failure message
 * @param {string} command
 * @param {string[]} args
 * @param {string} cwd
 * @returns {Promise<{ stdout: string, stderr: string }>}
 */
export async function runStep(name, command, args, cwd) {
  try {
    return await execFileAsync(command, args, { cwd, env: workspaceEnv(), maxBuffer: 1 << 24 });
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message;
    throw new Error(`angular22: ${name} failed:\n${output.slice(-4000)}`);
  }
}

/**
 * The cache key of the app's node_modules: its manifest, the Node that installs it, and the
 * library's own dependency and peer ranges (what npm resolves the tarball against).
 * @param {object} manifest the app's package.json without the library
 * @param {{ dependencies?: object, peerDependencies?: object }} library the library's package.json
 */
export function appCacheKey(manifest, library) {
  const inputs = {
    manifest,
    node: NODE_VERSION,
    library: { dependencies: library.dependencies ?? {}, peerDependencies: library.peerDependencies ?? {} },
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** A lock whose holder is gone: its pid is dead, or it never wrote one (it died between mkdir and write). */
function isStaleLock() {
  const pidFile = join(LOCK_DIR, 'pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  if (pid > 0) return !isAlive(pid);
  try {
    return Date.now() - statSync(LOCK_DIR).mtimeMs > 10_000;
  } catch {
    return false; // released meanwhile
  }
}

/** Takes the preparation lock, waiting while a live process holds it; a dead holder's lock is taken over. */
async function acquireLock() {
  mkdirSync(WORKSPACE_ROOT, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (isStaleLock()) rmSync(LOCK_DIR, { recursive: true, force: true });
    if (Date.now() >= deadline) throw new Error(`angular22: ${LOCK_DIR} still held after ${LOCK_WAIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function installedNodeVersion() {
  if (!existsSync(join(NODE_BIN_DIR, 'node'))) return undefined;
  const { stdout } = await execFileAsync(join(NODE_BIN_DIR, 'node'), ['--version']).catch(() => ({ stdout: '' }));
  return stdout.trim().replace(/^v/, '');
}

/** Node 22 from the registry's `node` package, whose install script fetches the platform's binary. */
async function ensureNode() {
  if ((await installedNodeVersion()) === NODE_VERSION) return false;
  rmSync(NODE_DIR, { recursive: true, force: true });
  mkdirSync(NODE_DIR, { recursive: true });
  // allowScripts: npm 11 reviews dependency install scripts, and this one is the point
  const manifest = { name: 'angular22-node', private: true, allowScripts: { node: true } };
  writeFileSync(join(NODE_DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await runStep(
    'npm install of Node 22',
    'npm',
    ['install', '--no-audit', '--no-fund', `node@${NODE_VERSION}`],
    NODE_DIR,
  );
  const version = await installedNodeVersion();
  if (version !== NODE_VERSION) throw new Error(`angular22: the node package gave ${version}, not ${NODE_VERSION}`);
  return true;
}

/** The app's dependencies, installed from scratch when the cache key changed. */
async function ensureAppDependencies() {
  const library = readJson(join(REPO_ROOT, 'projects', 'identity-auth', 'package.json'));
  const key = appCacheKey(APP_MANIFEST, library);
  const cached = existsSync(join(APP_DIR, 'node_modules')) && existsSync(APP_KEY_FILE);
  if (cached && readFileSync(APP_KEY_FILE, 'utf8') === key) return false;
  rmSync(APP_DIR, { recursive: true, force: true });
  mkdirSync(APP_DIR, { recursive: true });
  writeFileSync(join(APP_DIR, 'package.json'), `${JSON.stringify(APP_MANIFEST, null, 2)}\n`);
  // exact versions: what npm's cache holds is what the registry would answer, so it is used as is
  await runStep(
    'npm install of the Angular 22 app',
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund'],
    APP_DIR,
  );
  writeFileSync(APP_KEY_FILE, key);
  return true;
}

/**
 * Node 22 and the app's dependencies, each installed only when missing or out of date. Safe to
 * call from several processes: the second waits for the first and then finds everything in place.
 * @returns {Promise<{ installedNode: boolean, installedApp: boolean, ms: number }>}
 */
export async function prepareAngular22Workspace() {
  const started = Date.now();
  const release = await acquireLock();
  try {
    const installedNode = await ensureNode();
    const installedApp = await ensureAppDependencies();
    return { installedNode, installedApp, ms: Date.now() - started };
  } finally {
    release();
  }
}

/**
 * Packs the built library into the workspace and installs the tarball into the app the way a
 * user does: a plain `npm install <tarball>`, so npm checks the peer ranges against Angular 22.
 * @param {string} builtPackage the built library (dist/identity-auth)
 * @returns {Promise<string>} the tarball's path
 */
export async function installPackedLibrary(builtPackage) {
  const packed = join(WORKSPACE_ROOT, 'packed');
  rmSync(packed, { recursive: true, force: true });
  mkdirSync(packed, { recursive: true });
  const { stdout } = await runStep(
    'npm pack',
    'npm',
    ['pack', builtPackage, '--pack-destination', packed, '--json'],
    packed,
  );
  const tarball = join(packed, JSON.parse(stdout)[0].filename);
  await runStep('npm install of the packed library', 'npm', ['install', '--no-audit', '--no-fund', tarball], APP_DIR);
  return tarball;
}

/**
 * Copies the Angular 21 consumer's sources, angular.json and tsconfig.json into the app, so
 * that both Angular versions build the same app.
 * @param {string} sourceApp e2e/consumer-app
 */
export function copyConsumerSources(sourceApp) {
  rmSync(join(APP_DIR, 'src'), { recursive: true, force: true });
  cpSync(join(sourceApp, 'src'), join(APP_DIR, 'src'), { recursive: true });
  cpSync(join(sourceApp, 'tsconfig.json'), join(APP_DIR, 'tsconfig.json'));
  const angularJson = readJson(join(sourceApp, 'angular.json'));
  angularJson.$schema = './node_modules/@angular/cli/lib/config/schema.json';
  writeFileSync(join(APP_DIR, 'angular.json'), `${JSON.stringify(angularJson, null, 2)}\n`);
}

/**
 * Builds the app with the workspace's Angular CLI in production mode.
 * @returns {Promise<string>} the folder of the browser build
 */
export async function buildApp() {
  rmSync(join(APP_DIR, 'dist'), { recursive: true, force: true });
  const ng = join(APP_DIR, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
  await runStep(
    'ng build (Angular 22)',
    join(NODE_BIN_DIR, 'node'),
    [ng, 'build', '--configuration', 'production'],
    APP_DIR,
  );
  const angularJson = readJson(join(APP_DIR, 'angular.json'));
  const [project] = Object.values(angularJson.projects);
  return join(APP_DIR, project.architect.build.options.outputPath, 'browser');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { installedNode, installedApp, ms } = await prepareAngular22Workspace();
  const what = [installedNode && `Node ${NODE_VERSION}`, installedApp && `Angular ${ANGULAR_VERSION}`].filter(Boolean);
  console.log(`angular22: ${what.length ? `installed ${what.join(' and ')}` : 'up to date'} in ${ms} ms`);
}
