// `npm start` (scripts/start.mjs): the dev server and the emulator on one origin,
// settings passed through, a clear message for a taken port, and Ctrl-C stops both.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchBrowser } from './support/browser.mjs';
import { REPO_ROOT } from './support/demo-stack.mjs';
import { signIn, TRADER } from './support/demo-page.mjs';
import { waitFor } from './support/wait-for.mjs';
import { freePort } from '../scripts/free-port.mjs';

const START = join(REPO_ROOT, 'scripts', 'start.mjs');

async function listenOnFreePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function startScript(env) {
  const child = spawn(process.execPath, [START], {
    cwd: REPO_ROOT,
    env: { ...process.env, NG_CLI_ANALYTICS: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { child, output: '', exit: undefined };
  child.stdout.on('data', (chunk) => (run.output += chunk));
  child.stderr.on('data', (chunk) => (run.output += chunk));
  run.exited = new Promise((resolve) => child.on('exit', (code) => resolve((run.exit = code))));
  return run;
}

describe('npm start', () => {
  it('refuses a port in use with a message that names it and the setting, before building anything', async () => {
    const taken = await listenOnFreePort();
    const { port } = taken.address();
    try {
      const run = startScript({ DEMO_PORT: String(port), IDENTITY_PORT: '0' });
      assert.equal(await run.exited, 1);
      assert.match(run.output, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use \\(DEMO_PORT\\)`));
      assert.match(run.output, new RegExp(`DEMO_PORT=${port + 1} npm start`));
      assert.doesNotMatch(run.output, /building the library/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  describe('running', () => {
    let run;
    let browser;
    let demoUrl;
    before(async () => {
      const port = await freePort();
      demoUrl = `http://127.0.0.1:${port}`;
      run = startScript({ DEMO_PORT: String(port), IDENTITY_PORT: '0', ACCESS_TOKEN_TTL: '7' });
      await waitFor(() => run.output.includes('Ctrl-C stops both') || run.exit !== undefined, {
        timeoutMs: 180_000,
        intervalMs: 200,
        message: 'npm start to print its banner',
      });
      assert.equal(run.exit, undefined, run.output);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      if (run?.exit === undefined) run?.child.kill('SIGINT');
      await run?.exited;
    });

    it('prints the URL and the demo users', () => {
      assert.match(run.output, new RegExp(`B2Trader demo: +${demoUrl.replace(/\./g, '\\.')}/`));
      assert.match(run.output, /trader@example\.com \/ Passw0rd!/);
      assert.match(run.output, /2fa@example\.com \/ Passw0rd! +\(second factor 123456\)/);
    });

    it('serves the demo with the emulator behind the dev-server proxy, ACCESS_TOKEN_TTL passed through', async () => {
      const page = await browser.newPage();
      await signIn(page, demoUrl, TRADER);
      await page.getByTestId('api-account').waitFor();
      const left = Number(await page.getByTestId('expires-in').textContent());
      assert.ok(left > 0 && left <= 7, `the token expires in ${left} s`);
      await page.close();
    });

    it('stops the dev server and the emulator on Ctrl-C', async () => {
      run.child.kill('SIGINT');
      assert.equal(await run.exited, 0);
      assert.match(run.output, /identity-server: stopped/);
      await waitFor(async () => !(await fetch(`${demoUrl}/`).catch(() => undefined)), {
        timeoutMs: 5000,
        message: 'the dev server to stop',
      });
    });
  });
});
