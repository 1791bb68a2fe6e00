/**
 * The engine's IdentityAuthPlatform seam for one simulated tab: every member goes to
 * the simulated browser, so that the scheduler decides when each of the tab's
 * timers, messages, lock grants and storage events runs.
 */
import type { RefreshFence } from '@engine/session/refresh-fence';
import type { Cancel, TabChannel, TabLocks } from '@engine/platform/identity-auth-platform';

import { BASE_URL } from '../server/identity-server';
import type { Browser } from './browser';
import type { Tab } from './tab';

export class SteeredPlatform {
  readonly isBrowser = true;
  readonly baseUri = `${BASE_URL}/`;

  constructor(
    private readonly tab: Tab,
    private readonly browser: Browser,
  ) {}

  now(): number {
    return this.browser.scheduler.now;
  }

  random(): number {
    return this.tab.random.next();
  }

  /**
   * As in browsers (HTML timers, "nesting level"): a timer set from a timer task — its
   * promise chains included — more than five levels deep waits at least 4 ms, so that a
   * timer loop lets the tab's other tasks in.
   */
  setTimeout(callback: () => void, ms: number): Cancel {
    const { scheduler } = this.browser;
    const nesting = scheduler.current === this.tab.id ? scheduler.nesting + 1 : 1;
    const delay = nesting > 5 ? Math.max(4, ms) : ms;
    return scheduler.schedule({
      owner: this.tab.id,
      lane: `timers:${this.tab.id}`,
      order: 'time',
      delay,
      nesting,
      label: `timer (${Math.round(delay)} ms) fires`,
      run: callback,
    });
  }

  /** One pending tick at a time: a tab that was frozen runs one late tick, not a burst. */
  setInterval(callback: () => void, ms: number): Cancel {
    let cancel: Cancel = () => undefined;
    const arm = () => {
      cancel = this.setTimeout(() => {
        arm();
        callback();
      }, ms);
    };
    arm();
    return () => cancel();
  }

  storage(kind: 'session' | 'local'): Storage {
    return kind === 'local' ? this.browser.localStorage : this.tab.sessionStorage;
  }

  locks(): TabLocks | null {
    if (!this.browser.options.locks) return null;
    const { locks } = this.browser;
    return {
      request: (name, callback, options) => locks.request(this.tab.id, name, callback, options),
      held: () => locks.held(this.tab.id),
    };
  }

  openChannel(name: string): TabChannel {
    return this.browser.hub.open(this.tab.id, name);
  }

  listen(event: string, callback: (event: Event) => void): Cancel {
    return this.tab.listen(event, callback);
  }

  refreshFence(_name: string): RefreshFence {
    return this.browser.fenceFor(this.tab.id);
  }
}
