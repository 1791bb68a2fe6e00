// The demo's sign-in flows in real Chromium against the emulator: account, wrong
// password, second factor, sign-out, and the guard's way to the desk and back.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchBrowser } from './support/browser.mjs';
import { REPO_ROOT, startDemoStack } from './support/demo-stack.mjs';
import { armFault } from './support/emulator-controls.mjs';
import {
  SECOND_FACTOR_USER,
  signIn,
  submitSignIn,
  TRADER,
  waitForDesk,
  waitForSignInPage,
} from './support/demo-page.mjs';

const SCREENSHOTS = join(REPO_ROOT, 'e2e', 'out', 'screenshots');

describe('demo: sign-in flows', () => {
  let stack;
  let browser;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startDemoStack({ accessTokenTtl: 30, pollMs: 5000 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function freshPage() {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    return context.newPage();
  }

  it('signs in and shows the account, client, scope and the API answer; no token on the page', async () => {
    const page = await freshPage();
    await page.goto(`${stack.url}/sign-in`);
    await waitForSignInPage(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png') });
    await submitSignIn(page, TRADER);
    assert.equal(await waitForDesk(page), TRADER.email);
    assert.equal(await page.getByTestId('client').textContent(), 'spa');
    assert.match(await page.getByTestId('scope').textContent(), /FrontOffice/);
    await page.getByTestId('api-account').waitFor();
    assert.match(await page.getByTestId('api-account').textContent(), /\S/);
    await page.getByTestId('activity').locator('[data-type="signedIn"]').first().waitFor();
    const html = await page.content();
    assert.doesNotMatch(html, /eyJ[\w-]+\.eyJ[\w-]+\./, 'a JWT is on the page');
    await page.context().close();
  });

  it("shows the server's message for a wrong password and stays signed out", async () => {
    const page = await freshPage();
    await page.goto(`${stack.url}/sign-in`);
    await submitSignIn(page, { email: TRADER.email, password: 'not-the-password' });
    const error = page.getByTestId('sign-in-error');
    await error.waitFor();
    assert.equal(await error.textContent(), 'The sign-in was unsuccessful.');
    assert.equal(await page.getByTestId('account').count(), 0);
    await page.context().close();
  });

  it('asks for the second factor, refuses a wrong code, then signs in with the right one', async () => {
    const page = await freshPage();
    const notFound = [];
    page.on('response', (response) => response.status() === 404 && notFound.push(response.url()));
    await page.goto(`${stack.url}/sign-in`);
    await submitSignIn(page, SECOND_FACTOR_USER);
    await page.getByLabel('Code').waitFor();
    assert.match(await page.locator('form[aria-label="Second factor"]').textContent(), /2fa@example\.com/);
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('sign-in-error').waitFor();
    assert.equal(await page.getByTestId('sign-in-error').textContent(), 'The second factor was not accepted.');
    await page.getByLabel('Code').fill(SECOND_FACTOR_USER.code);
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.equal(await waitForDesk(page), SECOND_FACTOR_USER.email);
    assert.deepEqual(notFound, [], 'no request answered 404 (the favicon included)');
    await page.context().close();
  });

  it('signs out to the sign-in page, and the desk is guarded again', async () => {
    const page = await freshPage();
    await signIn(page, stack.url);
    await page.getByTestId('sign-out').click();
    await waitForSignInPage(page);
    assert.equal(await page.getByTestId('notice').textContent(), 'You have signed out.');
    // the notice is about the last session: gone once the next sign-in begins (here, at its second factor)
    await submitSignIn(page, SECOND_FACTOR_USER);
    await page.getByLabel('Code').waitFor();
    assert.equal(await page.getByTestId('notice').count(), 0, 'the sign-out notice stayed into the second factor');
    await page.goto(`${stack.url}/desk`);
    await waitForSignInPage(page);
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    await page.context().close();
  });

  it('sends a signed-out visit to the desk to sign-in, and back to the desk after signing in', async () => {
    const page = await freshPage();
    await page.goto(`${stack.url}/desk`);
    await waitForSignInPage(page);
    const wanted = new URL(page.url());
    assert.equal(wanted.pathname, '/sign-in');
    assert.equal(wanted.searchParams.get('returnUrl'), '/desk');
    await submitSignIn(page, TRADER);
    assert.equal(await waitForDesk(page), TRADER.email);
    assert.equal(new URL(page.url()).pathname, '/desk');
    await page.context().close();
  });
});

describe('demo: sign-in while the identity service is down or slow', () => {
  let stack;
  let browser;
  let page;

  before(async () => {
    stack = await startDemoStack({ accessTokenTtl: 30, pollMs: 5000, timeoutMs: 4000 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function signInWith(fault) {
    page = await (await browser.newContext()).newPage();
    await page.goto(`${stack.url}/sign-in`);
    await waitForSignInPage(page);
    await armFault(stack.url, { path: '/identity/sign-in', method: 'POST', count: 1, ...fault });
    await submitSignIn(page, TRADER);
  }

  it('says the service cannot be reached when sign-in answers 502, and signs in on the next try', async () => {
    await signInWith({ mode: 'html', status: 502 });
    const error = page.getByTestId('sign-in-error');
    await error.waitFor();
    assert.equal(await error.textContent(), 'The identity service cannot be reached right now. Try again in a moment.');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await waitForDesk(page), TRADER.email);
    await page.context().close();
  });

  it('says the service is slow while an answer is late, and signs in when it comes', async () => {
    await signInWith({ mode: 'delay', ms: 3500 });
    await page.getByTestId('slow').waitFor();
    assert.equal(await page.getByTestId('slow').textContent(), 'The identity service is taking longer than usual…');
    assert.equal(await waitForDesk(page), TRADER.email);
    await page.context().close();
  });

  it('says the service is too slow when no answer comes within the time limit', async () => {
    await signInWith({ mode: 'hang' });
    const error = page.getByTestId('sign-in-error');
    await error.waitFor({ timeout: 10_000 });
    assert.equal(
      await error.textContent(),
      'The identity service is too slow to answer right now. Try again in a moment.',
    );
    assert.equal(await page.getByTestId('slow').count(), 0, 'the slow hint stayed after the failure');
    await page.context().close();
  });
});

describe('demo: a strict Content-Security-Policy', () => {
  it('signs in and calls the API with no inline script or style allowed, and no violation reported', async () => {
    const stack = await startDemoStack({
      accessTokenTtl: 30,
      pollMs: 5000,
      csp: "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const violations = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      const answer = await page.goto(`${stack.url}/sign-in`);
      assert.match(answer.headers()['content-security-policy'], /script-src 'self'/);
      await submitSignIn(page, TRADER);
      assert.equal(await waitForDesk(page), TRADER.email);
      await page.getByTestId('api-account').waitFor();
      assert.deepEqual(violations, []);
    } finally {
      await browser.close();
      await stack.close();
    }
  });
});
