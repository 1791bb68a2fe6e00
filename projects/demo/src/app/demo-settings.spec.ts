import { DEFAULT_DEMO_SETTINGS, identityConfigFor, parseDemoSettings } from './demo-settings';

describe('parseDemoSettings', () => {
  const cases: [string, unknown, object][] = [
    ['nothing', undefined, DEFAULT_DEMO_SETTINGS],
    ['not an object', 'local', DEFAULT_DEMO_SETTINGS],
    ['an empty object', {}, DEFAULT_DEMO_SETTINGS],
    ['local storage', { storage: 'local' }, { storage: 'local', pollMs: 5000 }],
    ['an unknown storage', { storage: 'cookie' }, { storage: 'memory', pollMs: 5000 }],
    ['a poll interval', { pollMs: 750 }, { storage: 'memory', pollMs: 750 }],
    ['a negative poll interval', { pollMs: -1 }, { storage: 'memory', pollMs: 5000 }],
    ['a string poll interval', { pollMs: '750' }, { storage: 'memory', pollMs: 5000 }],
    [
      'refresh timing, without the bad parts',
      { refresh: { minLeadMs: 1000, ratio: 'x', minDelayMs: 0 } },
      { storage: 'memory', pollMs: 5000, refresh: { minLeadMs: 1000 } },
    ],
    ['refresh timing with nothing usable', { refresh: { ratio: null } }, { storage: 'memory', pollMs: 5000 }],
    ['a time limit', { timeoutMs: 3000 }, { storage: 'memory', pollMs: 5000, timeoutMs: 3000 }],
  ];
  for (const [name, json, expected] of cases) {
    it(`reads ${name}`, () => expect(parseDemoSettings(json)).toEqual(expected as never));
  }
});

describe('identityConfigFor', () => {
  it('points the library at the page origin and gives the token to /api/ only', () => {
    expect(identityConfigFor({ storage: 'session', pollMs: 1000, refresh: { minLeadMs: 1000 } })).toEqual({
      url: '/',
      clientId: 'spa',
      apis: ['/api/'],
      storage: 'session',
      refresh: { minLeadMs: 1000 },
    });
  });
});
