/**
 * Chooses k when the user gives none: k-means at every k in a range on one seeded sample, scored
 * by the mean silhouette on that sample (one distance matrix shared by all k); the highest score
 * wins, ties to the smaller k. Default range k = 2..min(20, floor(sqrt(n / 2))), the classic
 * sqrt(n/2) rule of thumb as a ceiling.
 */
import { kmeans } from './kmeans/kmeans.js';
import { gatherRows, sampleIndices } from './sample.js';
import { pairwiseDistances, silhouetteFromDistances, type SilhouetteMetric } from './silhouette.js';

/** Options of `chooseK`. */
export interface ChooseKOptions {
  /** Smallest k tried (default 2). */
  minK?: number;
  /** Largest k tried (default min(20, floor(sqrt(n / 2))), and at most sample size - 1). */
  maxK?: number;
  /** Rows sampled for clustering and scoring (default 2000). */
  sampleSize?: number;
  /** Seed for the sample and k-means (default 0). */
  seed?: number;
  /** Silhouette distance (default 'cosine'). */
  metric?: SilhouetteMetric;
  /** k-means restarts per k (default 2). */
  restarts?: number;
  /** Called with the fraction of k values done. */
  onProgress?: (fraction: number) => void;
}

/** Score of one candidate k. */
export interface KScore {
  k: number;
  silhouette: number;
  /** k-means inertia on the sample. */
  inertia: number;
}

/** The chosen k and why. */
export interface ChooseKResult {
  k: number;
  scores: KScore[];
  /** One line, e.g. "k=4 had the highest silhouette 0.21 of k=2..12 on a 2000-point sample". */
  reason: string;
  sampleSize: number;
}

/** Picks k for n rows of `dims` floats (row-major) by silhouette on a sample. */
export function chooseK(data: Float32Array, n: number, dims: number, opts: ChooseKOptions = {}): ChooseKResult {
  if (data.length !== n * dims) throw new RangeError(`chooseK: data has ${data.length} values, expected ${n}*${dims}`);
  const seed = opts.seed ?? 0;
  const idx = sampleIndices(n, opts.sampleSize ?? 2000, seed);
  const s = idx.length;
  const minK = opts.minK ?? 2;
  const maxK = Math.min(opts.maxK ?? Math.min(20, Math.floor(Math.sqrt(n / 2))), s - 1);
  if (minK < 2) throw new RangeError(`chooseK: minK must be >= 2 (got ${minK})`);
  if (maxK < minK) {
    return { k: 1, scores: [], reason: `k=1: ${n} rows are too few to compare k=${minK}..${Math.max(minK, maxK)}`, sampleSize: s };
  }
  const rows = gatherRows(data, dims, idx);
  const dist = pairwiseDistances(rows, s, dims, opts.metric ?? 'cosine');
  const scores: KScore[] = [];
  for (let k = minK; k <= maxK; k++) {
    const r = kmeans(rows, s, dims, { k, seed, restarts: opts.restarts ?? 2, miniBatch: false });
    const distinct = new Set(r.assignments).size;
    const silhouette = distinct >= 2 ? silhouetteFromDistances(dist, s, r.assignments) : -1;
    scores.push({ k, silhouette, inertia: r.inertia });
    opts.onProgress?.((k - minK + 1) / (maxK - minK + 1));
  }
  const best = scores.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  const where = s < n ? `a ${s}-point sample` : `all ${s} points`;
  const range = minK === maxK ? `k=${minK}` : `k=${minK}..${maxK}`;
  const reason = `k=${best.k} had the highest silhouette ${best.silhouette.toFixed(2)} of ${range} on ${where}`;
  return { k: best.k, scores, reason, sampleSize: s };
}
