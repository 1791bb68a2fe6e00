// Fault matrix, cases 40–47: races between a refresh and a sign-out, a backoff, a slow
// token store of the app's own, an injector destroyed mid start-up, a refused grant,
// a user switch in another tab. The bodies are the library's own race specs
// (projects/.../testing-support/session-races.cases.spec.ts), recorded here as rows.
import { requireEmulator } from '../../projects/identity-auth/src/lib/testing-support/emulator-tabs.spec';
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
} from '../../projects/identity-auth/src/lib/testing-support/session-races.cases.spec';
import { matrixCase } from './matrix';

function row(id: string, { title, expected, run }: Race): void {
  matrixCase(id, title, expected, run);
}

describe('fault matrix: session races (40–47)', () => {
  beforeAll(requireEmulator);
  beforeEach(prepareRace);
  afterEach(cleanUpRaces);

  row('40', SIGN_OUT_DURING_REFRESH);
  row('41', ON_DEMAND_DURING_BACKOFF);
  row('42', ASYNC_STORE_RESTORE);
  row('43', DESTROYED_DURING_CONFIG_FACTORY);
  row('44', REAUTHORIZE_RETRY);
  row('45', ORDERED_STORE_WRITES);
  row('46', SIGN_OUT_WHILE_LEADER_REFRESHES);
  row('47', REPLAY_AFTER_USER_SWITCH);
});
