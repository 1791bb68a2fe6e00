// Three races of the cross-tab session in real Chromium tabs against the emulator:
// a leader tab frozen past its followers' patience, tabs without Web Locks sharing
// `local` storage, and a sign-out the identity service never heard.
// (Functions passed to page.evaluate() run in the tab.)
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { launchBrowser } from './support/browser.mjs';
import { startDemoStack } from './support/demo-stack.mjs';
import {
  activityCount,
  collectPageErrors,
  numberShown,
  signIn,
  waitForDesk,
  waitForSignInPage,
} from './support/demo-page.mjs';
import { armFault, disarmFaults, readStats, refreshRequests } from './support/emulator-controls.mjs';
import { waitFor } from './support/wait-for.mjs';

const TOKEN_PATH = '/identity/connect/token';
const SIGN_OUT_PATH = '/identity/sign-out';

/** The counters these tests compare before and after, from one /__stats answer. */
function counters(stats) {
  return {
    refresh: refreshRequests(stats),
    codes: stats.tokenRequests.authorization_code ?? 0,
    authorize: stats.requests['GET /identity/connect/authorize'] ?? 0,
    reuse: stats.refreshReuseDetected,
    signOuts: stats.requests[`POST ${SIGN_OUT_PATH}`] ?? 0,
    faults: stats.faultsApplied,
    revoked: stats.revoked.refreshTokens + stats.revoked.grants,
  };
}

function delta(later, earlier) {
  return Object.fromEntries(Object.entries(later).map(([key, value]) => [key, value - earlier[key]]));
}

/**
 * Every identity request of a tab and what the token endpoint answered it: the
 * refresh token each refresh presented and the one each answer issued (kept in
 * this process only; never printed).
 */
function watchIdentity(page, tab, log) {
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (!pathname.startsWith('/identity/')) return;
    const form = pathname === TOKEN_PATH ? new URLSearchParams(request.postData() ?? '') : undefined;
    log.push({
      tab,
      at: Date.now(),
      what: 'request',
      method: request.method(),
      path: pathname,
      grantType: form?.get('grant_type') ?? undefined,
      presented: form?.get('refresh_token') ?? undefined,
    });
  });
  page.on('response', async (response) => {
    const { pathname } = new URL(response.url());
    if (!pathname.startsWith('/identity/')) return;
    const entry = { tab, at: Date.now(), what: 'response', path: pathname, status: response.status() };
    log.push(entry);
    if (pathname === TOKEN_PATH && response.status() === 200) {
      entry.issued = await response
        .json()
        .then((body) => body?.refresh_token)
        .catch(() => undefined);
    }
  });
  page.on('requestfailed', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/identity/')) log.push({ tab, at: Date.now(), what: 'failed', path: pathname });
  });
}

/** The refreshes in the log: who presented which refresh token when. */
function refreshesIn(log) {
  return log.filter((e) => e.what === 'request' && e.grantType === 'refresh_token');
}

/** Refresh tokens presented more than once, by any tabs: `[tabs that presented it]` per token. */
function presentedTwice(log) {
  const byToken = new Map();
  for (const { presented, tab } of refreshesIn(log)) {
    if (!presented) continue;
    byToken.set(presented, [...(byToken.get(presented) ?? []), tab]);
  }
  return [...byToken.values()].filter((tabs) => tabs.length > 1);
}

/** A short readable trace of the identity traffic since `since` (no tokens). */
function trace(log, since) {
  return log
    .filter((e) => e.at >= since)
    .map((e) =>
      e.what === 'request'
        ? `${e.at - since} ${e.tab} > ${e.method} ${e.path}${e.grantType ? ` ${e.grantType}` : ''}`
        : `${e.at - since} ${e.tab} < ${e.what === 'failed' ? 'failed' : e.status} ${e.path}`,
    )
    .join('; ');
}

/** This tab's Web Locks client id, and the client id holding the session's leader lock. */
function lockView() {
  const name = `e2e-whoami-${Math.random()}`;
  return navigator.locks.request(name, async () => {
    const { held } = await navigator.locks.query();
    return {
      me: held.find((lock) => lock.name === name)?.clientId,
      leader: held.find((lock) => lock.name.endsWith(':leader'))?.clientId ?? null,
    };
  });
}

/** Who holds the leader lock now, asked from a tab that answers (the holder may be frozen). */
async function leaderLockHolder(page) {
  return page.evaluate(async () => {
    const { held } = await navigator.locks.query();
    return held.find((lock) => lock.name.endsWith(':leader'))?.clientId ?? null;
  });
}

async function ended(page) {
  return (await activityCount(page, 'signedOut')) + (await activityCount(page, 'sessionExpired'));
}

describe('demo: session races', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  describe('a frozen leader tab (4 s tokens, 1 s time limit: followers take over after 2–3 s)', () => {
    const TTL_MS = 4000;
    const TIMEOUT_MS = 1000;
    // A fresh token is due at 3 s; a follower asks the leader then and takes its lock over
    // 2–3 s later (2–3 × the time limit): frozen for 8 s the leader sleeps through both.
    const FREEZE_MS = 8000;
    let stack;
    before(async () => {
      stack = await startDemoStack({ accessTokenTtl: TTL_MS / 1000, pollMs: 250, timeoutMs: TIMEOUT_MS });
    });
    after(async () => {
      await stack?.close();
    });

    it('after the leader wakes: no refresh token presented twice, no silent authorize, every tab signed in and calling the API', async (t) => {
      const context = await browser.newContext();
      const log = [];
      const tabs = [];
      for (let index = 0; index < 3; index++) {
        const page = await context.newPage();
        watchIdentity(page, index, log);
        tabs.push({ page, index, errors: collectPageErrors(page) });
      }
      await signIn(tabs[0].page, stack.url);
      for (const { page } of tabs.slice(1)) {
        await page.goto(`${stack.url}/desk`);
        await waitForDesk(page);
      }

      // which tab leads: the one whose Web Locks client holds `…:leader`
      const views = await Promise.all(tabs.map(({ page }) => page.evaluate(lockView)));
      const leaderClient = views[0].leader;
      assert.ok(leaderClient, 'no tab holds the leader lock');
      const leaderIndex = views.findIndex((view) => view.me === leaderClient);
      assert.ok(leaderIndex >= 0, `the leader lock is held by ${leaderClient}, none of the tabs`);
      const leader = tabs[leaderIndex];
      const followers = tabs.filter((tab) => tab !== leader);

      // start right after a rotation, so that the next one falls due during the freeze
      const rotations = refreshRequests(await readStats(stack.url));
      await waitFor(async () => refreshRequests(await readStats(stack.url)) > rotations, {
        timeoutMs: 2 * TTL_MS,
        message: 'a rotation before the freeze',
      });
      // …and every tab holding its tokens (the leader has published them)
      await waitFor(
        async () => {
          const shown = await Promise.all(tabs.map(({ page }) => numberShown(page, 'refresh-count')));
          return shown.every((n) => n === shown[0]);
        },
        { timeoutMs: TTL_MS, message: 'every tab seeing the rotation' },
      );
      const before = counters(await readStats(stack.url));
      const apiBefore = await Promise.all(tabs.map(({ page }) => numberShown(page, 'api-ok')));

      const frozen = leader.page.evaluate((ms) => {
        const start = Date.now();
        while (Date.now() < start + ms) {
          // the leader's main thread is busy: no timer, message or lock callback runs
        }
        return { start, end: Date.now() };
      }, FREEZE_MS);
      const freezeAsked = Date.now();
      // meanwhile a follower takes the lock over and refreshes
      const takenOver = await waitFor(
        async () => {
          const holder = await leaderLockHolder(followers[0].page);
          return holder && holder !== leaderClient && holder;
        },
        { timeoutMs: FREEZE_MS, intervalMs: 100, message: 'a follower taking the leader lock' },
      ).catch((error) => error);
      const { start: frozeAt, end: wokeAt } = await frozen;
      const refreshedWhileFrozen = refreshesIn(log).filter(
        (e) => e.tab !== leader.index && e.at >= frozeAt && e.at < wokeAt,
      ).length;

      // awake: every tab shows the desk, agrees on the tokens, and calls the API again
      const afterWake = await Promise.all(tabs.map(({ page }) => numberShown(page, 'api-ok').catch(() => 0)));
      await waitFor(
        async () => {
          for (const [i, { page }] of tabs.entries()) {
            if ((await ended(page)) > 0) return true; // fails below, with the numbers
            if ((await numberShown(page, 'api-ok')) < afterWake[i] + 2) return false;
          }
          return true;
        },
        { timeoutMs: 3 * TTL_MS, message: 'two more API calls answered in every tab after the wake' },
      );
      // and the session lives through one more rotation after the wake
      const woke = refreshRequests(await readStats(stack.url));
      await waitFor(async () => refreshRequests(await readStats(stack.url)) > woke || (await ended(tabs[0].page)) > 0, {
        timeoutMs: 2 * TTL_MS,
        message: 'a rotation after the wake',
      });
      const apiLater = await Promise.all(tabs.map(({ page }) => numberShown(page, 'api-ok')));
      await waitFor(
        async () => {
          for (const [i, { page }] of tabs.entries()) {
            if ((await ended(page)) > 0) return true;
            if ((await numberShown(page, 'api-ok')) <= apiLater[i]) return false;
          }
          return true;
        },
        { timeoutMs: 2 * TTL_MS, message: 'an API call in every tab after that rotation' },
      );

      const seen = delta(counters(await readStats(stack.url)), before);
      const story =
        `leader tab ${leader.index} frozen ${wokeAt - frozeAt} ms (asked at +${frozeAt - freezeAsked} ms); ` +
        `lock ${takenOver instanceof Error ? 'not taken over' : 'taken over'}; ` +
        `${refreshedWhileFrozen} follower refreshes while frozen; since the freeze: ${JSON.stringify(seen)}; ` +
        `trace: ${trace(log, frozeAt)}`;
      t.diagnostic(story);

      assert.ok(refreshedWhileFrozen >= 1, `no follower refreshed while the leader was frozen: ${story}`);
      assert.deepEqual(presentedTwice(log), [], `refresh tokens presented twice (by tabs): ${story}`);
      assert.equal(seen.reuse, 0, `the emulator saw a refresh token reused: ${story}`);
      assert.equal(seen.codes, 0, `silent re-authorizes (code exchanges) after the freeze: ${story}`);
      assert.equal(seen.authorize, 0, `authorize requests after the freeze: ${story}`);
      for (const { page, index } of tabs) {
        assert.equal(await ended(page), 0, `tab ${index}: the session ended`);
        assert.equal(new URL(page.url()).pathname, '/desk', `tab ${index} left the desk`);
        assert.ok((await numberShown(page, 'api-ok')) > apiBefore[index], `tab ${index}: no API call answered`);
      }
      assert.deepEqual(
        tabs.flatMap(({ errors }) => errors),
        [],
        'uncaught errors in the tabs',
      );
      await context.close();
    });
  });

  describe('no Web Locks (2 s tokens, local storage)', () => {
    const TTL_MS = 2000;
    const RUN_MS = 6000;
    let stack;
    before(async () => {
      stack = await startDemoStack({ accessTokenTtl: TTL_MS / 1000, storage: 'local', pollMs: 500 });
    });
    after(async () => {
      await stack?.close();
    });

    it('two tabs each refresh their own tokens: none presented twice, no silent authorize storm', async (t) => {
      const context = await browser.newContext();
      await context.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined });
      });
      const log = [];
      const tabs = [];
      for (let index = 0; index < 2; index++) {
        const page = await context.newPage();
        watchIdentity(page, index, log);
        tabs.push({ page, index, errors: collectPageErrors(page) });
      }
      const before = counters(await readStats(stack.url));
      await signIn(tabs[0].page, stack.url);
      assert.equal(
        await tabs[0].page.evaluate(() => navigator.locks === undefined),
        true,
        'navigator.locks is still there',
      );
      await tabs[1].page.goto(`${stack.url}/desk`);
      await waitForDesk(tabs[1].page);
      const started = Date.now();
      await waitFor(
        async () => Date.now() - started >= RUN_MS || (await ended(tabs[0].page)) + (await ended(tabs[1].page)) > 0,
        {
          timeoutMs: RUN_MS + 1000,
          message: `${RUN_MS} ms of two tabs`,
        },
      );
      const elapsed = Date.now() - started;
      const seen = delta(counters(await readStats(stack.url)), before);

      // which refresh tokens each tab was issued, and which it presented
      const issuedTo = new Map();
      for (const e of log) if (e.issued) issuedTo.set(e.issued, e.tab);
      const refreshes = refreshesIn(log);
      const perTab = tabs.map(({ index }) => refreshes.filter((e) => e.tab === index && e.at >= started));
      const borrowed = refreshes
        .filter((e) => e.presented && issuedTo.get(e.presented) !== e.tab)
        .map(
          (e) =>
            `tab ${e.tab} presented a token issued to ${issuedTo.has(e.presented) ? `tab ${issuedTo.get(e.presented)}` : 'no tab seen'}`,
        );
      const story =
        `${elapsed} ms; refreshes by tab in that time: ${perTab.map((r) => r.length)}; since sign-in: ${JSON.stringify(seen)}; ` +
        `borrowed: ${borrowed.length}; trace: ${trace(log, started)}`;
      t.diagnostic(story.slice(0, 3000));

      assert.deepEqual(presentedTwice(log), [], `refresh tokens presented twice (by tabs): ${story}`);
      assert.equal(seen.reuse, 0, `the emulator saw a refresh token reused: ${story}`);
      // one sign-in and one restore: at most one code exchange (and authorize) per tab
      assert.ok(seen.codes <= tabs.length, `${seen.codes} code exchanges for ${tabs.length} tabs: ${story}`);
      // (plus the first page's restore before its sign-in, which finds no identity session)
      assert.ok(
        seen.authorize <= tabs.length + 1,
        `${seen.authorize} authorize requests for ${tabs.length} tabs: ${story}`,
      );
      // each tab on its own schedule: a 2 s token is due at 1 s
      for (const [index, mine] of perTab.entries()) {
        assert.ok(mine.length >= Math.floor(elapsed / TTL_MS), `tab ${index} refreshed ${mine.length} times: ${story}`);
        assert.ok(
          mine.length <= Math.ceil(elapsed / (TTL_MS / 2)) + 1,
          `tab ${index} refreshed ${mine.length} times: ${story}`,
        );
      }
      assert.deepEqual(borrowed, [], `a tab presented a refresh token it was not issued: ${story}`);
      for (const { page, index } of tabs) {
        assert.equal(await ended(page), 0, `tab ${index}: the session ended`);
        assert.equal(await numberShown(page, 'api-failed'), 0, `tab ${index}: API calls failed`);
        assert.equal(new URL(page.url()).pathname, '/desk', `tab ${index} left the desk`);
      }
      assert.deepEqual(
        tabs.flatMap(({ errors }) => errors),
        [],
        'uncaught errors in the tabs',
      );
      // Its tokens lived in its memory only: a tab that closes tells the service to forget them.
      const beforeClose = counters(await readStats(stack.url));
      await tabs[1].page.close();
      await waitFor(async () => delta(counters(await readStats(stack.url)), beforeClose).revoked >= 1, {
        timeoutMs: 5000,
        message: 'the closed tab to revoke its refresh token',
      });
      assert.equal(await ended(tabs[0].page), 0, 'tab 0: the session ended when tab 1 closed');
      await context.close();
    });
  });

  describe('a sign-out the identity service never heard (4 s tokens)', () => {
    const TTL_MS = 4000;
    let stack;
    before(async () => {
      stack = await startDemoStack({ accessTokenTtl: TTL_MS / 1000, pollMs: 1000 });
    });
    after(async () => {
      await stack?.close();
    });

    /** Whether the identity session behind `cookie` still yields a code (authorize, redirects not followed). */
    async function cookieYieldsCode(cookie) {
      const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
      const url = new URL('/identity/connect/authorize', stack.url);
      url.search = new URLSearchParams({
        client_id: 'spa',
        response_type: 'code',
        redirect_uri: `${stack.url}/identity/sign-in-done`,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'openid offline_access FrontOffice',
        state: randomBytes(8).toString('hex'),
        nonce: randomBytes(8).toString('hex'),
      }).toString();
      const response = await fetch(url, { headers: { cookie: `${cookie.name}=${cookie.value}` }, redirect: 'manual' });
      const location = response.headers.get('location');
      return Boolean(location && new URL(location, stack.url).searchParams.has('code'));
    }

    /** Whether the emulator still takes `refreshToken` (presenting it rotates it, so only at the end). */
    async function refreshTokenLives(refreshToken) {
      const response = await fetch(new URL(TOKEN_PATH, stack.url), {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'spa' }),
      });
      return response.status === 200;
    }

    /** Waits until the page shows the desk or the sign-in form (restore has finished either way). */
    function settled(page) {
      return waitFor(
        async () =>
          (await page.getByTestId('account').isVisible()) ||
          (await page.getByRole('form', { name: 'Sign in' }).isVisible()),
        { message: `${page.url()} showing the desk or the sign-in form` },
      );
    }

    it('stays signed out in a new tab and after a reload, and tells the identity service once it answers again, revoking the refresh token the reloaded page took with it', async (t) => {
      const context = await browser.newContext();
      const log = [];
      const first = await context.newPage();
      watchIdentity(first, 'first', log);
      const errors = collectPageErrors(first);
      await signIn(first, stack.url);
      const sessionCookie = (await context.cookies()).find((c) => c.name === '_session');
      assert.ok(sessionCookie, `no identity-session cookie: ${(await context.cookies()).map((c) => c.name)}`);
      assert.equal(await cookieYieldsCode(sessionCookie), true, 'the identity session does not yield a code');

      // the sign-out endpoint answers 503 to every try until disarmed
      await armFault(stack.url, { path: SIGN_OUT_PATH, method: 'POST', mode: 'html', status: 503, count: 1000 });
      const before = counters(await readStats(stack.url));
      const clickedAt = Date.now();
      await first.getByTestId('sign-out').click();
      // the refresh token the first tab held: only that page knew it, and the reload below ends the page
      const held = log.filter((e) => e.tab === 'first' && e.issued && e.at < clickedAt).at(-1)?.issued;
      assert.ok(held, 'no refresh token was issued to the first tab');
      await waitForSignInPage(first);
      const unheard = delta(counters(await readStats(stack.url)), before);
      assert.ok(unheard.faults >= 1, `the sign-out never reached the failing endpoint: ${JSON.stringify(unheard)}`);
      await disarmFaults(stack.url);
      const disarmed = counters(await readStats(stack.url));

      // a new tab, and the first one reloaded: the identity-session cookie is still alive,
      // yet neither may sign in without the user
      const second = await context.newPage();
      watchIdentity(second, 'second', log);
      const secondErrors = collectPageErrors(second);
      await second.goto(`${stack.url}/desk`);
      await settled(second);
      await first.reload();
      await settled(first);
      const reopened = delta(counters(await readStats(stack.url)), disarmed);
      const story = () =>
        `after the unheard sign-out ${JSON.stringify(unheard)}; after disarming, a new tab and a reload: ` +
        `${JSON.stringify(reopened)}; trace: ${trace(log, clickedAt)}`;
      t.diagnostic(story());
      for (const [name, page] of [
        ['the new tab', second],
        ['the reloaded tab', first],
      ]) {
        assert.equal(
          new URL(page.url()).pathname,
          '/sign-in',
          `${name} shows ${new URL(page.url()).pathname}: ${story()}`,
        );
        assert.equal(await activityCount(page, 'signedIn'), 0, `${name} signed in: ${story()}`);
      }

      // the identity service answers again: the library tells it, and the cookie is spent
      const confirmed = await waitFor(
        async () => {
          const now = delta(counters(await readStats(stack.url)), disarmed);
          return (
            now.signOuts > 0 &&
            log.some(
              (e) => e.what === 'response' && e.path === SIGN_OUT_PATH && e.status === 204 && e.at >= clickedAt,
            ) &&
            now
          );
        },
        { timeoutMs: 15_000, intervalMs: 100, message: `a sign-out the emulator answered 204 (${story()})` },
      );
      assert.equal(await cookieYieldsCode(sessionCookie), false, 'the identity session outlived the sign-out');
      assert.equal(
        await refreshTokenLives(held),
        false,
        'the refresh token of the reloaded page outlived the sign-out',
      );
      for (const page of [first, second]) {
        assert.equal(new URL(page.url()).pathname, '/sign-in');
        assert.equal(await activityCount(page, 'signedIn'), 0);
      }
      // the new design's event, where the demo lists it (not required)
      const shown = await Promise.all([first, second].map((page) => activityCount(page, 'signOutConfirmed')));
      t.diagnostic(`server told: ${JSON.stringify(confirmed)}; signOutConfirmed shown in the activity logs: ${shown}`);
      assert.deepEqual([...errors, ...secondErrors], [], 'uncaught errors in the tabs');
      await context.close();
    });
  });
});
