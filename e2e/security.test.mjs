// Security properties of a whole session in real Chromium against the emulator:
// the demo under a strict Content-Security-Policy signs in, refreshes and calls the API with
// no violation reported; and no token issued turns up in the URL, the DOM, the console,
// Web Storage, cookies or IndexedDB (memory storage).
// Functions passed to page.evaluate() run in the tab:
/* global document, window, indexedDB */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchBrowser } from './support/browser.mjs';
import { collectPageErrors, numberShown, signIn, waitForSignInPage } from './support/demo-page.mjs';
import { startDemoStack } from './support/demo-stack.mjs';
import { readStats, refreshRequests } from './support/emulator-controls.mjs';
import { waitFor } from './support/wait-for.mjs';

const TTL_S = 4;
const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/**
 * The parts of the issued tokens worth searching for: each whole token, and each JWT's payload and
 * signature on their own (a JWT's header is the same for every token and says nothing).
 */
export function searchableParts(tokens) {
  const parts = new Set();
  for (const token of tokens) {
    parts.add(token);
    const segments = token.split('.');
    if (segments.length === 3) for (const segment of segments.slice(1)) if (segment.length >= 16) parts.add(segment);
  }
  return [...parts];
}

/** `[where, part]` for every token part found in a named text. */
export function findLeaks(texts, tokens) {
  const parts = searchableParts(tokens);
  const leaks = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const part of parts) if (text.includes(part)) leaks.push([where, `${part.slice(0, 8)}…`]);
  }
  return leaks;
}

/** Every token the token endpoint hands to the page, read from the network. */
function collectIssuedTokens(page) {
  const tokens = new Set();
  const pending = [];
  page.on('response', (response) => {
    if (!response.url().endsWith('/identity/connect/token') || response.status() !== 200) return;
    pending.push(
      response
        .json()
        .then((body) => {
          for (const name of ['access_token', 'refresh_token', 'id_token']) if (body[name]) tokens.add(body[name]);
        })
        .catch(() => {}),
    );
  });
  return { tokens, settled: () => Promise.all(pending) };
}

/** Violations of the page's CSP: Chromium's console report and the DOM's securitypolicyviolation event. */
async function collectCspViolations(page) {
  const violations = [];
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction('reportCspViolation', (text) => violations.push(text));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (event) =>
      window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI}`),
    ),
  );
  return violations;
}

/** Waits until the server counted `count` more refreshes and the page showed them, and API calls went on after. */
async function refreshesWithApiCalls(page, baseUrl, count) {
  const before = refreshRequests(await readStats(baseUrl));
  await waitFor(async () => refreshRequests(await readStats(baseUrl)) - before >= count, {
    timeoutMs: (count + 2) * TTL_S * 1000,
    message: `${count} refreshes`,
  });
  await waitFor(async () => (await numberShown(page, 'refresh-count')) >= count, {
    message: `the page showing ${count} refreshes`,
  });
  const okBefore = await numberShown(page, 'api-ok');
  await waitFor(async () => (await numberShown(page, 'api-ok')) > okBefore, { message: 'an API call after them' });
}

describe('demo: security of a whole session (4 s tokens)', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('under a strict CSP (no inline script or style, no eval): signs in, refreshes twice and calls the API with no violation reported', async () => {
    const stack = await startDemoStack({ accessTokenTtl: TTL_S, pollMs: 500, csp: STRICT_CSP });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const violations = await collectCspViolations(page);
      const errors = collectPageErrors(page);
      const answer = await page.goto(`${stack.url}/sign-in`);
      assert.equal(answer.headers()['content-security-policy'], STRICT_CSP);
      await signIn(page, stack.url);
      await page.getByTestId('api-account').waitFor();
      await refreshesWithApiCalls(page, stack.url, 2);
      assert.equal(await numberShown(page, 'api-failed'), 0);
      assert.deepEqual(violations, []);
      assert.deepEqual(errors, []);

      // the watch itself works: an inline script is refused and reported
      await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.body.append(script);
      });
      await waitFor(() => violations.length > 0, { message: 'the inline script reported as a violation' });
      assert.equal(await page.evaluate(() => window.inlineRan), undefined, 'the inline script ran');
    } finally {
      await context.close();
      await stack.close();
    }
  });

  it('memory storage: no token issued in the URLs, the DOM, the console, Web Storage, cookies or IndexedDB after sign-in, two refreshes, API calls and sign-out', async () => {
    const stack = await startDemoStack({ accessTokenTtl: TTL_S, pollMs: 500, storage: 'memory' });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const issued = collectIssuedTokens(page);
      const urls = [];
      page.on('framenavigated', (frame) => urls.push(frame.url()));
      const consoleText = [];
      page.on('console', (message) => consoleText.push(message.text()));
      const snapshots = {};
      const snapshot = async (when) => {
        urls.push(page.url());
        snapshots[`DOM ${when}`] = await page.evaluate(() => document.documentElement.outerHTML);
        snapshots[`Web Storage ${when}`] = await page.evaluate(() =>
          JSON.stringify([localStorage, sessionStorage].map((s) => Object.entries(s))),
        );
        snapshots[`IndexedDB ${when}`] = await page.evaluate(dumpIndexedDb);
        snapshots[`cookies ${when}`] = JSON.stringify(await context.cookies());
      };

      await signIn(page, stack.url);
      await page.getByTestId('api-account').waitFor();
      await snapshot('after sign-in');
      await refreshesWithApiCalls(page, stack.url, 2);
      await snapshot('after two refreshes');
      await page.getByTestId('sign-out').click();
      await waitForSignInPage(page);
      await snapshot('after sign-out');
      await issued.settled();

      // sign-in gave one access, refresh and id token; each refresh a new access and refresh token at least
      assert.ok(issued.tokens.size >= 7, `only ${issued.tokens.size} tokens read from the network`);
      const leaks = findLeaks({ ...snapshots, URLs: urls.join('\n'), console: consoleText.join('\n') }, [
        ...issued.tokens,
      ]);
      assert.deepEqual(leaks, []);
    } finally {
      await context.close();
      await stack.close();
    }
  });

  it('the search finds a token whole, or its payload or signature alone (no browser)', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0cmFkZXIiLCJleHAiOjE3fQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';
    const opaque = 'Xq3v_opaque-refresh-token-0123456789abcdef';
    assert.deepEqual(findLeaks({ clean: 'nothing here eyJhbGciOiJSUzI1NiJ9' }, [jwt, opaque]), []);
    assert.equal(findLeaks({ whole: `Bearer ${jwt}` }, [jwt]).length, 3);
    assert.deepEqual(findLeaks({ signature: 'x c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU' }, [jwt]), [
      ['signature', 'c2lnbmF0…'],
    ]);
    assert.deepEqual(findLeaks({ storage: `{"rt":"${opaque}"}` }, [opaque]), [['storage', 'Xq3v_opa…']]);
  });
});

/** In the tab: every record of every IndexedDB store of the origin, as text. */
async function dumpIndexedDb() {
  const out = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    for (const store of db.objectStoreNames) {
      const records = await new Promise((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      out.push({ name, store, records });
    }
    db.close();
  }
  return JSON.stringify(out);
}
