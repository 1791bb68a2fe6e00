// Fault matrix, cases 40–49: races between a refresh and a sign-out, a backoff, a slow
// token store of the app's own, an injector destroyed mid start-up, a refused grant,
// a user switch in another tab, a sign-out overtaking a login, a signing-out tab that goes. The bodies are the library's own race specs
// (projects/.../testing-support/session-race-cases.ts), recorded here as rows.
import { requireEmulator } from '../../projects/identity-auth/src/lib/testing-support/emulator-tabs';
import {
  cleanUpRaces,
  prepareRace,
  RACES,
  type Race,
} from '../../projects/identity-auth/src/lib/testing-support/session-race-cases';
import { matrixCase } from './matrix';

function row(id: string, { title, expected, run }: Race): void {
  matrixCase(id, title, expected, run);
}

describe('fault matrix: session races (40–49)', () => {
  beforeAll(requireEmulator);
  beforeEach(prepareRace);
  afterEach(cleanUpRaces);

  // Rows 40–49 are cases 4–13.
  RACES.forEach(([n, body]) => row(String(36 + n), body));
});
