/**
 * Runs one command of a scenario: what the trader does in a tab (log in, use the
 * app, sign out, close or open a tab), what the browser does to a tab (freeze it,
 * keep its messages waiting), and what the network and the identity service do
 * (faults, an outage, the identity session timing out). A user action goes to the
 * public engine API, as the service and the interceptor call it; its outcome is
 * traced, never awaited: the browser runs on while it is pending.
 */
import { isIdentityAuthError } from 'b2trader.identity.auth/core';

import type { Browser } from '../browser/browser';
import type { Tab } from '../browser/tab';
import { TRADER } from '../server/identity-server';
import type { Command } from './scenario';

function outcome(err: unknown): string {
  return isIdentityAuthError(err) ? `${err.kind}${err.code ? ` (${err.code})` : ''}` : String(err);
}

/** The tab a command means: by index among the tabs open now. A frozen tab cannot be used. */
function target(browser: Browser, index: number): Tab | null {
  const live = browser.live;
  return live.length > 0 ? live[index % live.length] : null;
}

/** Starts `work` in `tab` and traces how it ends, whenever it does. */
function start(browser: Browser, tab: Tab, what: string, work: () => Promise<string>): Promise<void> {
  return browser.scheduler.act(tab.id, what, () => {
    work().then(
      (result) => browser.trace.log(tab.id, `${what}: ${result}`),
      (err: unknown) => browser.trace.log(tab.id, `${what} failed: ${outcome(err)}`),
    );
  });
}

const short = (token: string | null | undefined) => token ?? 'null';

export async function runCommand(browser: Browser, command: Command): Promise<void> {
  const { scheduler, trace } = browser;
  if (command.op === 'wait') {
    trace.log(null, `(the trader waits ${command.ms} ms)`);
    await scheduler.runUntil(scheduler.now + command.ms);
    return;
  }
  const tab = 'tab' in command ? target(browser, command.tab) : null;
  // A frozen page cannot be used; it can still be closed.
  if ('tab' in command && (!tab || (tab.frozen && command.op !== 'close'))) {
    trace.log(tab?.id ?? null, `(${command.op} skipped: ${tab ? 'the tab is frozen' : 'no tab is open'})`);
    await scheduler.runUntil(scheduler.now + command.after);
    return;
  }
  switch (command.op) {
    case 'login':
      await start(browser, tab!, 'login', async () => {
        tab!.loginsInFlight += 1;
        try {
          await tab!.engine.signIn(TRADER.email, TRADER.password);
          await tab!.engine.exchange(await tab!.engine.authorize());
          return 'signed in';
        } finally {
          tab!.loginsInFlight -= 1;
        }
      });
      break;
    case 'getToken':
      await start(browser, tab!, 'getAccessToken', async () => short(await tab!.engine.tokenForRequest()));
      break;
    case 'api401':
      await start(browser, tab!, 'API call', async () => {
        const token = await tab!.engine.tokenForRequest();
        if (!token) return 'no token, not sent';
        // The API answers 401 one hop later (a token revoked or expired there); the interceptor asks for another.
        await new Promise<void>((resolve) =>
          scheduler.schedule({ owner: tab!.id, delay: 30, label: `the API answers 401 to ${token}`, run: resolve }),
        );
        return `replayed with ${await tab!.engine.tokenAfterRejection(token)}`;
      });
      break;
    case 'refresh':
      await start(browser, tab!, 'refreshToken()', async () => `expires ${(await tab!.engine.refresh()).expiresAt}`);
      break;
    case 'signOut':
      browser.monitor.signOutAsked(tab!);
      await start(browser, tab!, 'signOut()', async () => `server notified: ${await tab!.engine.signOut()}`);
      break;
    case 'close':
      await scheduler.act(tab!.id, 'is closed', () => tab!.close());
      break;
    case 'freeze': {
      const frozen = tab!;
      await scheduler.act(frozen.id, `freezes for ${command.ms} ms (its main thread is blocked)`, () => {
        frozen.frozen = true;
        browser.disturbedUntil = Math.max(browser.disturbedUntil, scheduler.now + command.ms);
        scheduler.schedule({
          owner: null,
          delay: command.ms,
          label: `${frozen.id} thaws`,
          run: () => {
            frozen.frozen = false;
            frozen.thawedAt = scheduler.now;
            trace.log(frozen.id, `runs again, ${scheduler.pendingFor(frozen.id)} events queued`);
          },
        });
      });
      break;
    }
    case 'slowChannel':
      await scheduler.act(tab!.id, `hears messages up to ${command.ms} ms late for a while`, () =>
        browser.slowDown(tab!.id, command.ms),
      );
      break;
    case 'fault':
      await scheduler.act(null, `arms ${command.times}× ${command.fault.kind} on ${command.fault.target}`, () =>
        browser.faults.arm(command.fault, command.times),
      );
      break;
    case 'outage':
      await scheduler.act(null, `the network is down for ${command.ms} ms`, () => {
        browser.faults.outage(scheduler.now + command.ms);
        browser.disturbedUntil = Math.max(browser.disturbedUntil, scheduler.now + command.ms);
        scheduler.schedule({
          owner: null,
          delay: command.ms,
          label: 'the network is back',
          run: () => browser.broadcastWindowEvent('online'),
        });
      });
      break;
    case 'open':
      await browser.openTab();
      break;
    case 'identitySessionEnds':
      await scheduler.act(null, 'the identity session times out at the service', () => {
        if (browser.jar.cookie) browser.server.endIdentitySession(browser.jar.cookie);
      });
      break;
  }
  await scheduler.runUntil(scheduler.now + command.after);
}
