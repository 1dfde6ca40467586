/**
 * The `allow` filter of a search, built once per search group in the worker: which allowed
 * keys are live, as a bitmap (keys below 2^26, at most 8 MiB) or else a Set. hnswlib calls the
 * membership test for every candidate it visits, so it must be cheap.
 */

/** Largest key for which a bitmap is used. */
const BITMAP_MAX_KEY = 1 << 26;

/** Allowed live keys: their count, a membership test, and the keys themselves when at most `keep` qualify. */
export interface KeyFilter {
  count: number;
  has: (key: number) => boolean;
  keys: number[] | null;
}

/** The distinct keys of `allow` that are in `live`; `keep` bounds the key list returned. */
export function keyFilter(allow: Int32Array, live: Set<number>, keep: number): KeyFilter {
  let max = -1;
  for (let i = 0; i < allow.length; i++) if (allow[i]! > max) max = allow[i]!;
  if (max >= BITMAP_MAX_KEY) {
    const set = new Set<number>();
    for (const key of allow) if (live.has(key)) set.add(key);
    return { count: set.size, has: (key) => set.has(key), keys: set.size <= keep ? [...set] : null };
  }
  const bits = new Uint8Array((max >> 3) + 1);
  const has = (key: number) => key >= 0 && key <= max && (bits[key >> 3]! & (1 << (key & 7))) !== 0;
  for (let i = 0; i < allow.length; i++) {
    const key = allow[i]!;
    if (key >= 0) bits[key >> 3]! |= 1 << (key & 7);
  }
  // count the distinct allowed keys that are live
  const seen = new Uint8Array(bits.length);
  const keys: number[] = [];
  let count = 0;
  for (let i = 0; i < allow.length; i++) {
    const key = allow[i]!;
    const mask = 1 << (key & 7);
    if (key < 0 || (seen[key >> 3]! & mask) !== 0 || !live.has(key)) continue;
    seen[key >> 3]! |= mask;
    if (++count <= keep) keys.push(key);
  }
  return { count, has, keys: count <= keep ? keys : null };
}
