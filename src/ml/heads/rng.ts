/**
 * The seeded randomness of the heads: mulberry32 (Tommy Ettinger, public domain), a 32-bit
 * generator that is fast, small and gives the same stream on every platform. Splits, mini-batch
 * order, weight initialisation and dropout masks all draw from it, so a head is deterministic for
 * a seed.
 */

/** A seeded source of uniform numbers. */
export interface HeadRng {
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [0, bound). */
  int(bound: number): number;
}

/** A mulberry32 generator; the same `seed` (truncated to uint32) gives the same stream. */
export function headRng(seed: number): HeadRng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (bound) => Math.floor(next() * bound) };
}

/** Shuffles `items` in place (Fisher-Yates) and returns it. */
export function shuffle<T extends Int32Array | number[]>(items: T, rng: HeadRng): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}
