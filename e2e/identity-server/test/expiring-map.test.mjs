// The map behind the emulator's storage and its pending second factors: entries
// live until they expire, then vanish, read or not (a fake clock: no waiting).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ExpiringMap } from '../expiring-map.mjs';

function clock(start = 1_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

test('an entry is there until its ttl runs out, then gone', () => {
  const { time, now } = clock();
  const map = new ExpiringMap(now);
  map.set('a', 1, 10);
  time.now += 9_999;
  assert.equal(map.get('a'), 1);
  assert.equal(map.has('a'), true);
  time.now += 1;
  assert.equal(map.get('a'), undefined);
  assert.equal(map.has('a'), false);
  assert.equal(map.size, 0, 'reading an expired entry removes it');
});

test('without a ttl an entry stays until deleted', () => {
  const { time, now } = clock();
  const map = new ExpiringMap(now);
  map.set('a', 'kept');
  time.now += 365 * 24 * 3600 * 1000;
  assert.equal(map.get('a'), 'kept');
  assert.equal(map.delete('a'), true);
  assert.equal(map.get('a'), undefined);
});

test('expired entries nobody reads again are swept as new ones are written', () => {
  const { time, now } = clock();
  const map = new ExpiringMap(now);
  for (let i = 0; i < 200; i += 1) map.set(`old-${i}`, i, 1);
  time.now += 1_000;
  for (let i = 0; i < 100; i += 1) map.set(`new-${i}`, i, 60);
  assert.ok(map.size <= 100 + 255, `size ${map.size}`);
  assert.equal(map.size, 100, 'the 256th write swept all 200 expired entries');
});

test('the value is the stored object itself (the adapter marks codes consumed in place)', () => {
  const map = new ExpiringMap();
  const payload = { consumed: undefined };
  map.set('code', payload, 60);
  map.get('code').consumed = 1;
  assert.equal(payload.consumed, 1);
});
