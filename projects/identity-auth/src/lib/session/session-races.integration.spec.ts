// Integration (real engine, real Chromium, the real emulator): races between a
// refresh and what else happens to the session at the same time — a sign-out, a
// backoff, a slow token store, an injector destroyed mid start-up, a refused grant,
// a user switch in another tab. Each spec states the behaviour of the session engine
// once the race is closed. The bodies live in testing-support/session-races.cases.spec.ts,
// shared with the fault matrix (reliability/browser/races.faults.spec.ts, rows 40–47).
// Where a body replaces a part of the app or the browser, its title says so.
import { requireEmulator } from '../testing-support/emulator-tabs.spec';
import {
  ASYNC_STORE_RESTORE,
  cleanUpRaces,
  DESTROYED_DURING_CONFIG_FACTORY,
  ON_DEMAND_DURING_BACKOFF,
  ORDERED_STORE_WRITES,
  prepareRace,
  REAUTHORIZE_RETRY,
  REPLAY_AFTER_USER_SWITCH,
  SIGN_OUT_DURING_REFRESH,
  SIGN_OUT_WHILE_LEADER_REFRESHES,
  type Race,
} from '../testing-support/session-races.cases.spec';

/** `case N: title → expected`, with nothing recorded (the matrix records; here the assertions speak). */
function race(n: number, { title, expected, run }: Race): void {
  it(`case ${n}: ${title} → ${expected}`, () => run(() => undefined), 30_000);
}

describe('integration: session races (sign-out, backoff, stores, start-up, user switch)', () => {
  beforeAll(requireEmulator);
  beforeEach(prepareRace);
  afterEach(cleanUpRaces);

  race(4, SIGN_OUT_DURING_REFRESH);
  race(5, ON_DEMAND_DURING_BACKOFF);
  race(6, ASYNC_STORE_RESTORE);
  race(7, DESTROYED_DURING_CONFIG_FACTORY);
  race(8, REAUTHORIZE_RETRY);
  race(9, ORDERED_STORE_WRITES);
  race(10, SIGN_OUT_WHILE_LEADER_REFRESHES);
  race(11, REPLAY_AFTER_USER_SWITCH);
});
