import { backoffDelay, DEFAULT_BACKOFF } from './backoff';

describe('backoffDelay', () => {
  const table: [string, number, number, number | undefined, number][] = [
    ['first retry, lowest jitter', 0, 0, undefined, 500],
    ['first retry, highest jitter', 0, 1, undefined, 1_000],
    ['third retry, middle jitter', 2, 0.5, undefined, 3_000],
    ['capped at 30 s', 10, 1, undefined, 30_000],
    ['capped at 30 s even for huge attempts', 1e9, 0, undefined, 15_000],
    ['Retry-After longer than the backoff wins', 0, 0, 5_000, 5_000],
    ['Retry-After shorter than the backoff is not a shortcut', 3, 1, 100, 8_000],
    ['a negative attempt counts as the first', -3, 0, undefined, 500],
    ['a NaN jitter counts as 0', 0, Number.NaN, undefined, 500],
    ['a NaN Retry-After is ignored', 0, 0, Number.NaN, 500],
  ];
  for (const [name, attempt, random, retryAfter, expected] of table) {
    it(name, () => expect(backoffDelay(attempt, random, retryAfter)).toBe(expected));
  }

  it('never exceeds the cap without Retry-After and never goes below half the base', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      for (const random of [0, 0.3, 0.99]) {
        const delay = backoffDelay(attempt, random);
        expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF.capMs);
        expect(delay).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.baseMs / 2);
      }
    }
  });
});
