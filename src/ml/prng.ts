/**
 * semhub's one seeded PRNG: xoshiro128** (Blackman and Vigna, 2018), state expanded from one
 * 32-bit seed with splitmix32. Fast, 2^128-1 period, and the same sequence on every platform.
 * k-means seeding and mini-batches, samples, head splits, weight initialisation, mini-batch
 * order and dropout masks all draw from it, so each is deterministic for a seed.
 */

/** A seeded random source. */
export interface Rng {
  /** A uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** A uniform integer in [0, bound). */
  int(bound: number): number;
  /** A uint32. */
  uint32(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a xoshiro128** generator; the same `seed` (any number, truncated to uint32) gives the same stream. */
export function createRng(seed: number): Rng {
  const mix = splitmix32(seed);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  if ((a | b | c | d) === 0) a = 1;
  const uint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return {
    uint32,
    next: () => uint32() / 4294967296,
    int: (bound) => Math.floor((uint32() / 4294967296) * bound),
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Shuffles `items` in place (Fisher-Yates) and returns it. */
export function shuffle<T extends Int32Array | number[]>(items: T, rng: Rng): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}
