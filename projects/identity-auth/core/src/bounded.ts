/** Small bounded collections (internal): per-instance memory must not grow without end. */

/** Deletes the oldest entries (insertion order) until `map` holds at most `max`. */
export function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
