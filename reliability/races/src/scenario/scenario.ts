/**
 * What fast-check generates: a browser (tabs, storage, Web Locks or not, token
 * lifetime, the engine's time limit), a seed for every choice the scheduler makes,
 * and a list of commands. A command names a tab by index into the tabs open at that
 * moment (modulo their number), so that a shrunk list still means something.
 */
import fc from 'fast-check';

import type { StorageMode } from '../browser/browser';
import type { Fault } from '../server/faults';

export type Command =
  | {
      readonly op: 'login' | 'getToken' | 'api401' | 'refresh' | 'signOut' | 'close';
      readonly tab: number;
      readonly after: number;
    }
  | { readonly op: 'freeze' | 'slowChannel'; readonly tab: number; readonly ms: number; readonly after: number }
  | { readonly op: 'fault'; readonly fault: Fault; readonly times: number; readonly after: number }
  | { readonly op: 'outage'; readonly ms: number; readonly after: number }
  | { readonly op: 'open' | 'identitySessionEnds'; readonly after: number }
  | { readonly op: 'wait'; readonly ms: number };

export interface Scenario {
  readonly seed: number;
  /** Tabs open at the start (more may open later). */
  readonly tabs: number;
  readonly storage: StorageMode;
  readonly locks: boolean;
  /** Access-token lifetime, in seconds. */
  readonly lifetimeSec: number;
  readonly timeoutMs: number;
  readonly commands: readonly Command[];
}

const tab = fc.nat({ max: 7 });
/** How long the browser runs after a command before the next one: mostly soon, sometimes a while. */
const after = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 400 }) },
  { weight: 2, arbitrary: fc.integer({ min: 400, max: 6_000 }) },
);

const fault: fc.Arbitrary<Fault> = fc.record({
  kind: fc.constantFrom('unavailable', 'rate-limited', 'dropped', 'answer-lost'),
  target: fc.oneof(
    { weight: 4, arbitrary: fc.constant('refresh' as const) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('token' as const, 'authorize' as const, 'sign-out' as const, 'any' as const),
    },
  ),
  retryAfterSec: fc.integer({ min: 1, max: 40 }),
});

const simple = (op: 'login' | 'getToken' | 'api401' | 'refresh' | 'signOut' | 'close') =>
  fc.record({ op: fc.constant(op), tab, after });

export const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: simple('login') },
  { weight: 4, arbitrary: simple('getToken') },
  { weight: 3, arbitrary: simple('api401') },
  { weight: 1, arbitrary: simple('refresh') },
  { weight: 2, arbitrary: simple('signOut') },
  { weight: 1, arbitrary: simple('close') },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 500, max: 45_000 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('freeze' as const),
      tab,
      // A short stall, or longer than a leader takeover (2–3 × timeoutMs).
      ms: fc.oneof(fc.integer({ min: 200, max: 3_000 }), fc.integer({ min: 10_000, max: 60_000 })),
      after,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('slowChannel' as const),
      tab,
      ms: fc.integer({ min: 100, max: 5_000 }),
      after,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('fault' as const), fault, times: fc.integer({ min: 1, max: 3 }), after }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('outage' as const), ms: fc.integer({ min: 1_000, max: 40_000 }), after }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('open' as const), after }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('identitySessionEnds' as const), after }) },
);

export const scenario: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.nat(),
  tabs: fc.integer({ min: 2, max: 5 }),
  storage: fc.constantFrom<StorageMode>('memory', 'session', 'local', 'async'),
  locks: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  lifetimeSec: fc.constantFrom(4, 8, 15, 30),
  timeoutMs: fc.constantFrom(2_000, 5_000, 10_000),
  commands: fc.array(command, { minLength: 1, maxLength: 20 }),
});
