// Integration (real engine, real Chromium, the real emulator): races between a
// refresh and what else happens to the session at the same time — a sign-out, a
// backoff, a slow token store, an injector destroyed mid start-up, a refused grant,
// a user switch in another tab. Each spec states the behaviour of the session engine
// once the race is closed. The bodies live in testing-support/session-race-cases.ts,
// shared with the fault matrix (reliability/browser/races.faults.spec.ts, rows 40–49).
// Where a body replaces a part of the app or the browser, its title says so.
import { requireEmulator } from '../testing-support/emulator-tabs';
import { cleanUpRaces, prepareRace, RACES, type Race } from '../testing-support/session-race-cases';

/** `case N: title → expected`, with nothing recorded (the matrix records; here the assertions speak). */
function race(n: number, { title, expected, run }: Race): void {
  it(`case ${n}: ${title} → ${expected}`, () => run(() => undefined), 30_000);
}

describe('integration: session races (sign-out, backoff, stores, start-up, user switch)', () => {
  beforeAll(requireEmulator);
  beforeEach(prepareRace);
  afterEach(cleanUpRaces);

  RACES.forEach(([n, body]) => race(n, body));
});
