/**
 * Exact k nearest neighbours by Euclidean distance of query rows among a few thousand base rows:
 * ||q - b||² = ||q||² + ||b||² - 2 q·b with the products from the SIMD kernel (pairwise.ts), and
 * a sorted insertion list per query (k is small). On L2-normalised rows the order is the cosine
 * order. Ties go to the lower base row, so results are deterministic.
 */
import { forEachDotBlock } from '../pairwise.js';

/** The neighbours of m queries: row q's are at q * k .. q * k + k - 1, nearest first. */
export interface NeighbourLists {
  k: number;
  /** Base row indices. */
  index: Int32Array;
  /** Euclidean distances. */
  distance: Float32Array;
}

function squaredNorms(rows: Float32Array, n: number, dims: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * dims; t < (i + 1) * dims; t++) s += rows[t]! * rows[t]!;
    out[i] = s;
  }
  return out;
}

/** The `k` rows of `base` (s × dims) nearest each of the m `queries` (m × dims); k is capped at s. */
export function nearestNeighbours(queries: Float32Array, m: number, base: Float32Array, s: number, dims: number, k: number): NeighbourLists {
  const kk = Math.min(k, s);
  const index = new Int32Array(m * kk);
  const distance = new Float32Array(m * kk);
  const qNorm = squaredNorms(queries, m, dims);
  const bNorm = squaredNorms(base, s, dims);
  const topI = new Int32Array(kk);
  const topD = new Float64Array(kk);
  forEachDotBlock(queries, m, base, s, dims, (first, count, dots, stride) => {
    for (let q = 0; q < count; q++) {
      topD.fill(Infinity);
      topI.fill(-1);
      const qn = qNorm[first + q]!;
      const row = q * stride;
      for (let j = 0; j < s; j++) {
        const d = qn + bNorm[j]! - 2 * dots[row + j]!;
        if (d >= topD[kk - 1]!) continue;
        let p = kk - 1;
        while (p > 0 && topD[p - 1]! > d) {
          topD[p] = topD[p - 1]!;
          topI[p] = topI[p - 1]!;
          p--;
        }
        topD[p] = d;
        topI[p] = j;
      }
      const at = (first + q) * kk;
      index.set(topI, at);
      for (let p = 0; p < kk; p++) distance[at + p] = Math.sqrt(Math.max(0, topD[p]!));
    }
  });
  return { k: kk, index, distance };
}
