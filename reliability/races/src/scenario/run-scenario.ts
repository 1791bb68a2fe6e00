/**
 * One run: open the tabs, log in, play the commands, then a quiet period — faults
 * disarmed, one more tab opened (the trader coming back), and the browser left alone
 * until every freeze and outage has ended and long after — and the end-of-run invariants.
 */
import { Browser } from '../browser/browser';
import type { Violation } from '../check/monitor';
import { Runaway } from '../sim/scheduler';
import { useScheduler } from '../sim/virtual-globals';
import { runCommand } from './commands';
import type { Scenario } from './scenario';

/** Long enough for a leader takeover (≤ 3 × timeoutMs), a capped backoff (30 s) and the longest Retry-After (40 s). */
const QUIET_MS = 120_000;

export interface RunResult {
  readonly violations: readonly Violation[];
  readonly trace: readonly string[];
  readonly steps: number;
}

export async function runScenario(scenario: Scenario): Promise<RunResult> {
  const browser = new Browser(scenario);
  const { scheduler, trace } = browser;
  useScheduler(browser.scheduler);
  try {
    trace.log(null, `scenario: ${JSON.stringify({ ...scenario, commands: undefined })}`);
    for (let i = 0; i < scenario.tabs; i += 1) await browser.openTab();
    await scheduler.runUntil(scheduler.now + 300);
    await runCommand(browser, { op: 'login', tab: 0, after: 500 });
    for (const command of scenario.commands) await runCommand(browser, command);

    trace.log(null, '(quiet period: faults disarmed, one more tab opened, freezes and outages run out)');
    browser.faults.disarm();
    await browser.openTab();
    await scheduler.runUntil(Math.max(scheduler.now, browser.disturbedUntil) + QUIET_MS);
    browser.monitor.finish();
    return { violations: browser.monitor.violations, trace: trace.tail(0), steps: scheduler.steps };
  } catch (err) {
    if (!(err instanceof Runaway)) throw err;
    browser.monitor.runaway(err.message);
    return { violations: browser.monitor.violations, trace: trace.tail(0), steps: scheduler.steps };
  } finally {
    useScheduler(null);
  }
}
