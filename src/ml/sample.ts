/**
 * Seeded sampling of row indices without replacement (partial Fisher-Yates), and gathering the
 * sampled rows into a new row-major array.
 */
import { createRng } from './prng.js';

/** `size` distinct indices of 0..n-1 in ascending order (all of them when size >= n). */
export function sampleIndices(n: number, size: number, seed: number): Int32Array {
  if (size >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(n - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, size).sort();
}

/** The rows at `indices`, row-major. */
export function gatherRows(data: Float32Array, dims: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * dims);
  for (let q = 0; q < indices.length; q++) {
    const i = indices[q]!;
    out.set(data.subarray(i * dims, (i + 1) * dims), q * dims);
  }
  return out;
}
