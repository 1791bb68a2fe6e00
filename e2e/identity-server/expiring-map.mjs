// A Map whose entries last until they expire, then vanish: read lazily, and swept
// now and then as entries are written, so that entries nobody reads again do not pile up.

const SWEEP_EVERY = 256;

export class ExpiringMap {
  #entries = new Map();
  #writes = 0;
  #now;

  /** @param {() => number} [now] the clock, in milliseconds */
  constructor(now = Date.now) {
    this.#now = now;
  }

  /** Stores `value` for `ttlSec` seconds; without a ttl it stays until deleted. */
  set(key, value, ttlSec) {
    this.#entries.set(key, { value, expiresAt: ttlSec ? this.#now() + ttlSec * 1000 : undefined });
    this.#writes += 1;
    if (this.#writes % SWEEP_EVERY === 0) this.sweep();
    return this;
  }

  /** The live value, or undefined (an expired entry is removed). */
  get(key) {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#expired(entry)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  has(key) {
    return this.get(key) !== undefined;
  }

  delete(key) {
    return this.#entries.delete(key);
  }

  /** Removes every expired entry. */
  sweep() {
    for (const [key, entry] of this.#entries) if (this.#expired(entry)) this.#entries.delete(key);
  }

  get size() {
    return this.#entries.size;
  }

  #expired(entry) {
    return entry.expiresAt !== undefined && entry.expiresAt <= this.#now();
  }
}
