/**
 * The k-nearest-neighbour head's numeric parts: an exact neighbour search by inner product
 * (cosine on L2-normalised vectors) used to validate it, and the similarity-weighted vote that
 * turns neighbours into class probabilities. At serving time the neighbours come from the
 * collection's own index instead.
 */
import { transpose, type MatrixOps } from './ops.js';

/** Queries per product: bounds the n × QUERY_CHUNK score block. */
const QUERY_CHUNK = 512;

export interface Neighbours {
  k: number;
  /** m × k row indices into the reference set, best first. */
  index: Int32Array;
  /** m × k similarities, best first. */
  score: Float32Array;
}

/** The `k` rows of `reference` (n × dims) with the largest inner product with each of the m `queries`. */
export function exactNeighbours(reference: Float32Array, n: number, queries: Float32Array, m: number, dims: number, k: number, ops: MatrixOps): Neighbours {
  const kk = Math.min(k, n);
  const index = new Int32Array(m * kk);
  const score = new Float32Array(m * kk);
  const ref = ops.fixed(reference, n, dims);
  try {
    for (let start = 0; start < m; start += QUERY_CHUNK) {
      const q = Math.min(QUERY_CHUNK, m - start);
      const s = ref.times(transpose(queries.subarray(start * dims, (start + q) * dims), q, dims), q);
      for (let j = 0; j < q; j++) {
        // insertion into a sorted top-k list: k is small
        const topI = new Int32Array(kk).fill(-1);
        const topS = new Float32Array(kk).fill(-Infinity);
        for (let i = 0; i < n; i++) {
          const v = s[i * q + j]!;
          if (v <= topS[kk - 1]!) continue;
          let p = kk - 1;
          while (p > 0 && topS[p - 1]! < v) {
            topS[p] = topS[p - 1]!;
            topI[p] = topI[p - 1]!;
            p--;
          }
          topS[p] = v;
          topI[p] = i;
        }
        index.set(topI, (start + j) * kk);
        score.set(topS, (start + j) * kk);
      }
    }
  } finally {
    ref.dispose();
  }
  return { k: kk, index, score };
}

/** Smallest vote weight, so neighbours at similarity ≤ 0 still count a little. */
const FLOOR = 1e-6;

/**
 * Class probabilities from neighbours' classes and similarities: each neighbour votes with
 * max(similarity, 0) + 1e-6, and the votes per class are divided by their total. Neighbours of
 * class -1 (unknown) are ignored; with no votes at all the distribution is uniform.
 */
export function knnVote(classesOf: ArrayLike<number>, similarities: ArrayLike<number>, classes: number): Float32Array {
  const votes = new Float64Array(classes);
  let total = 0;
  for (let i = 0; i < classesOf.length; i++) {
    const c = classesOf[i]!;
    if (c < 0 || c >= classes) continue;
    const w = Math.max(similarities[i]!, 0) + FLOOR;
    votes[c]! += w;
    total += w;
  }
  const out = new Float32Array(classes);
  for (let c = 0; c < classes; c++) out[c] = total > 0 ? votes[c]! / total : 1 / classes;
  return out;
}

/** Class probabilities (m × classes) of the m queries voted by their exact neighbours among labelled reference rows. */
export function knnProbabilities(nb: Neighbours, m: number, referenceClasses: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(m * classes);
  for (let q = 0; q < m; q++) {
    const rows = nb.index.subarray(q * nb.k, (q + 1) * nb.k);
    const cls = Array.from(rows, (r) => (r >= 0 ? referenceClasses[r]! : -1));
    out.set(knnVote(cls, nb.score.subarray(q * nb.k, (q + 1) * nb.k), classes), q * classes);
  }
  return out;
}
