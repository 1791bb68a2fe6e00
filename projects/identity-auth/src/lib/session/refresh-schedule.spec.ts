import {
  clockJumped,
  DEFAULT_REFRESH_TIMING,
  needsRefresh,
  refreshDelayAfterArrival,
  refreshDueAt,
} from './refresh-schedule';

describe('refreshDelayAfterArrival', () => {
  const table: [string, number, number][] = [
    ['30-second tokens refresh at 22 s (75 % pulled to an 8 s lead)', 30_000, 22_000],
    ['one-hour tokens refresh at 75 %', 3_600_000, 2_700_000],
    ['4-second tokens refresh at half their lifetime, never after expiry', 4_000, 2_000],
    ['1-second tokens wait the 1 s floor: no loop', 1_000, 1_000],
    ['a zero lifetime waits the floor', 0, 1_000],
    ['a negative lifetime waits the floor', -5_000, 1_000],
    ['NaN waits the floor', Number.NaN, 1_000],
    ['Infinity waits the floor (treated as unusable)', Number.POSITIVE_INFINITY, 1_000],
    ['the 24 h cap refreshes at 18 h', 86_400_000, 64_800_000],
  ];
  for (const [name, lifetime, expected] of table) {
    it(name, () => expect(refreshDelayAfterArrival(lifetime)).toBe(expected));
  }

  it('honours a custom ratio and lead', () => {
    expect(refreshDelayAfterArrival(60_000, { ratio: 0.5, minLeadMs: 0, minDelayMs: 1_000 })).toBe(30_000);
    expect(refreshDelayAfterArrival(60_000, { ratio: 0.9, minLeadMs: 20_000, minDelayMs: 1_000 })).toBe(40_000);
  });
});

describe('refreshDueAt / needsRefresh', () => {
  it('counts from arrival', () => {
    expect(refreshDueAt(1_000_000, 1_030_000)).toBe(1_022_000);
  });
  const table: [number, boolean][] = [
    [1_000_000, false],
    [1_021_999, false],
    [1_022_000, true],
    [1_040_000, true],
  ];
  for (const [now, expected] of table) {
    it(`at +${now - 1_000_000} ms a 30 s token ${expected ? 'needs' : 'does not need'} a refresh`, () => {
      expect(needsRefresh(now, 1_000_000, 1_030_000, DEFAULT_REFRESH_TIMING)).toBe(expected);
    });
  }
});

describe('clockJumped', () => {
  const table: [string, number, number, boolean][] = [
    ['a tick on time', 10_000, 15_000, false],
    ['a tick late within the slack', 10_000, 17_000, false],
    ['a machine that slept a minute', 10_000, 70_000, true],
    ['a clock set back', 10_000, 5_000, false],
  ];
  for (const [name, previous, now, expected] of table) {
    it(name, () => expect(clockJumped(previous, now, 5_000)).toBe(expected));
  }
});
