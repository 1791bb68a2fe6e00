// A small seeded PRNG (mulberry32): the same seed replays the same soak schedule.

/** A function returning numbers in [0, 1), the same sequence for the same 32-bit seed. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of a non-empty list, chosen by `random`. */
export function pick(random, list) {
  return list[Math.floor(random() * list.length)];
}

/** A fresh seed when none is given. */
export function newSeed() {
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
