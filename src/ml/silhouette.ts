/**
 * Silhouette coefficient (Rousseeuw 1987), as scikit-learn's silhouette_score: per row
 * s = (b - a) / max(a, b), where a is the mean distance to the other members of its cluster and b
 * the lowest mean distance to another cluster; s = 0 for a row alone in its cluster. Large inputs
 * are scored on a seeded sample (default 2,000 rows, distances only within the sample), so the cost
 * is one s x s Gram matrix through the SIMD kernel plus O(s^2) per labelling.
 */
import { gramMatrix } from './pairwise.js';
import { gatherRows, sampleIndices } from './sample.js';

/** Distance used by silhouette. Cosine = 1 - cos(x, y); euclidean = ||x - y||. */
export type SilhouetteMetric = 'cosine' | 'euclidean';

/** Largest sample the O(s^2) matrix is built for (s*s float32 = 256 MiB). */
const MAX_SILHOUETTE_SAMPLE = 8192;

/** Pairwise distances of s rows (s x s, row-major). */
export function pairwiseDistances(rows: Float32Array, s: number, dims: number, metric: SilhouetteMetric): Float32Array {
  if (s > MAX_SILHOUETTE_SAMPLE) throw new RangeError(`silhouette: sample of ${s} rows is over the ${MAX_SILHOUETTE_SAMPLE} limit`);
  const g = gramMatrix(rows, s, dims);
  const sq = new Float64Array(s);
  for (let i = 0; i < s; i++) sq[i] = g[i * s + i]!;
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      const dot = g[i * s + j]!;
      if (metric === 'euclidean') {
        const d2 = sq[i]! + sq[j]! - 2 * dot;
        g[i * s + j] = i === j ? 0 : Math.sqrt(d2 > 0 ? d2 : 0);
      } else {
        const norm = Math.sqrt(sq[i]! * sq[j]!);
        g[i * s + j] = i === j ? 0 : Math.max(0, 1 - (norm > 0 ? dot / norm : 0));
      }
    }
  }
  return g;
}

/** Per-row silhouettes from a distance matrix and labels (any integers); needs 2 <= clusters <= s - 1. */
function silhouetteSamples(dist: Float32Array, s: number, labels: ArrayLike<number>): Float64Array {
  const ids = new Map<number, number>();
  const label = new Int32Array(s);
  for (let i = 0; i < s; i++) {
    const l = labels[i]!;
    if (!ids.has(l)) ids.set(l, ids.size);
    label[i] = ids.get(l)!;
  }
  const c = ids.size;
  if (c < 2 || c > s - 1) throw new RangeError(`silhouette needs 2..${s - 1} clusters among ${s} rows (got ${c})`);
  const size = new Float64Array(c);
  for (let i = 0; i < s; i++) size[label[i]!] = size[label[i]!]! + 1;
  const sums = new Float64Array(c);
  const out = new Float64Array(s);
  for (let i = 0; i < s; i++) {
    sums.fill(0);
    const row = i * s;
    for (let j = 0; j < s; j++) sums[label[j]!] = sums[label[j]!]! + dist[row + j]!;
    const own = label[i]!;
    if (size[own]! <= 1) continue;
    const a = sums[own]! / (size[own]! - 1);
    let b = Infinity;
    for (let m = 0; m < c; m++) if (m !== own && sums[m]! / size[m]! < b) b = sums[m]! / size[m]!;
    const denom = Math.max(a, b);
    out[i] = denom > 0 ? (b - a) / denom : 0;
  }
  return out;
}

/** Mean silhouette from a distance matrix. */
export function silhouetteFromDistances(dist: Float32Array, s: number, labels: ArrayLike<number>): number {
  const samples = silhouetteSamples(dist, s, labels);
  let total = 0;
  for (const v of samples) total += v;
  return total / s;
}

/** Options of `silhouetteScore`. */
export interface SilhouetteOptions {
  /** Default 'cosine' (the embeddings are L2-normalised). */
  metric?: SilhouetteMetric;
  /** Rows scored, sampled without replacement when n is larger (default 2000). */
  sampleSize?: number;
  /** Sampling seed (default 0). */
  seed?: number;
}

/** Mean silhouette of a labelling of n rows (row-major, `dims` floats each). */
export function silhouetteScore(
  data: Float32Array,
  n: number,
  dims: number,
  labels: ArrayLike<number>,
  opts: SilhouetteOptions = {},
): number {
  if (data.length !== n * dims || labels.length !== n) {
    throw new RangeError(`silhouette: expected ${n}*${dims} values and ${n} labels (got ${data.length} and ${labels.length})`);
  }
  const idx = sampleIndices(n, opts.sampleSize ?? 2000, opts.seed ?? 0);
  const rows = gatherRows(data, dims, idx);
  const sampledLabels = Array.from(idx, (i) => labels[i]!);
  return silhouetteFromDistances(pairwiseDistances(rows, idx.length, dims, opts.metric ?? 'cosine'), idx.length, sampledLabels);
}
