// The state owner's transitions, without TestBed: a bare injector (no NgZone) is enough.
import { Injector, NgZone } from '@angular/core';

import type { IdentityAuthEvent } from './identity-auth-events';
import { SessionState } from './session-state';
import type { IdentityTokenRecord } from './token-record';
import { MemoryTokenStore } from './token-store';

function record(generation: number, overrides: Partial<IdentityTokenRecord> = {}): IdentityTokenRecord {
  return {
    generation,
    sessionId: 's1',
    accessToken: `at-${generation}`,
    refreshToken: `rt-${generation}`,
    receivedAt: 1_000 * generation,
    expiresAt: 1_000 * generation + 30_000,
    subject: 'user-1',
    account: { id: 'user-1' },
    clientId: 'spa',
    scope: ['openid'],
    ...overrides,
  };
}

describe('SessionState', () => {
  let state: SessionState;
  let store: MemoryTokenStore;
  let events: IdentityAuthEvent[];

  beforeEach(() => {
    state = Injector.create({ providers: [SessionState] }).get(SessionState);
    store = new MemoryTokenStore();
    state.attach(store, () => 42);
    events = [];
    state.events.subscribe((event) => events.push(event));
  });

  it('is unknown until restore finishes, then signed-out when nothing was restored', () => {
    expect(state.status()).toBe('unknown');
    state.markRestored();
    expect(state.status()).toBe('signed-out');
    expect(events).toEqual([]);
  });

  const adoptions: [string, number[], string[], number][] = [
    ['a first record signs in', [1], ['signedIn'], 1],
    ['a newer record of the same subject is a refresh', [1, 2], ['signedIn', 'refreshed'], 2],
    ['an older record is ignored', [2, 1], ['signedIn'], 2],
    ['the same record twice is adopted once', [3, 3], ['signedIn'], 3],
  ];
  for (const [name, generations, expected, current] of adoptions) {
    it(name, () => {
      generations.forEach((g) => state.adopt(record(g), 'refresh', 'this-tab'));
      expect(events.map((e) => e.type)).toEqual(expected as IdentityAuthEvent['type'][]);
      expect(state.record()?.generation).toBe(current);
      expect(store.load()?.generation).toBe(current);
      expect(state.status()).toBe('signed-in');
    });
  }

  it('a login is a signedIn even over a running session; another subject too', () => {
    state.adopt(record(1), 'refresh', 'this-tab');
    state.adopt(record(2), 'login', 'this-tab');
    state.adopt(record(3, { subject: 'user-2' }), 'refresh', 'other-tab');
    expect(events.map((e) => e.type)).toEqual(['signedIn', 'signedIn', 'signedIn']);
    expect(events[2].origin).toBe('other-tab');
  });

  it('ends once, forgets the tokens, and never takes back a record of the ended session', () => {
    state.adopt(record(4), 'login', 'this-tab');
    const end = { type: 'sessionExpired', at: 1, origin: 'this-tab' } as const;
    expect(state.end(end)).toBeTrue();
    expect(state.end(end)).toBeFalse();
    expect(events.map((e) => e.type)).toEqual(['signedIn', 'sessionExpired']);
    expect(state.record()).toBeNull();
    expect(store.load()).toBeNull();
    expect(state.status()).toBe('signed-out');
    expect(state.adopt(record(4), 'refresh', 'other-tab')).toBeFalse();
    expect(state.nextGeneration()).toBe(5);
    expect(state.adopt(record(5, { sessionId: 's2' }), 'login', 'this-tab')).toBeTrue();
  });

  it('a late record of a signed-out session is refused, even of a higher generation', () => {
    state.adopt(record(4), 'login', 'this-tab');
    state.end({ type: 'signedOut', at: 1, origin: 'other-tab', serverNotified: true }, 's1');
    // The leader's refresh of generation 4 arrives after the sign-out.
    expect(state.adopt(record(5), 'refresh', 'other-tab')).toBeFalse();
    expect(state.status()).toBe('signed-out');
  });

  it('an end of another session leaves a newer login alone, and that session stays ended', () => {
    state.adopt(record(7, { sessionId: 's2' }), 'login', 'this-tab');
    expect(state.end({ type: 'signedOut', at: 1, origin: 'other-tab', serverNotified: true }, 's1')).toBeFalse();
    expect(state.record()?.sessionId).toBe('s2');
    expect(state.adopt(record(8), 'refresh', 'other-tab')).toBeFalse();
  });

  it("changes what the app reads inside the app's zone: the engine calls it from outside", () => {
    let inZone = false;
    const zone = {
      run: <T>(change: () => T): T => {
        inZone = true;
        try {
          return change();
        } finally {
          inZone = false;
        }
      },
    };
    const zoned = Injector.create({ providers: [SessionState, { provide: NgZone, useValue: zone }] }).get(SessionState);
    zoned.attach(new MemoryTokenStore(), () => 42);
    const seen: string[] = [];
    zoned.events.subscribe((event) => seen.push(`${event.type} ${inZone ? 'inside' : 'outside'}`));
    const run = spyOn(zone, 'run').and.callThrough();
    zoned.markRestored();
    expect(run).toHaveBeenCalledTimes(1);
    zoned.adopt(record(1), 'login', 'this-tab');
    zoned.adopt(record(2), 'refresh', 'this-tab');
    zoned.end({ type: 'signedOut', at: 1, origin: 'this-tab', serverNotified: true });
    expect(seen).toEqual(['signedIn inside', 'refreshed inside', 'signedOut inside']);
    expect(zoned.status()).toBe('signed-out');
  });

  it('never puts a token into the public session', () => {
    state.adopt(record(1), 'login', 'this-tab');
    expect(JSON.stringify(state.session())).not.toContain('at-1');
    expect(JSON.stringify(events)).not.toContain('rt-1');
  });
});
