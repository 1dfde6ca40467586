/**
 * The work of one clustering job, step by step, none of it blocking the event loop for long:
 *   load vectors, texts, metadata (paged)                       progress 0 -> 0.10
 *   choose k by silhouette on a sample (worker thread), if asked 0.10 -> 0.30
 *   k-means++ / restarts / mini-batch when large (worker threads) 0.30 -> 0.80
 *   silhouette on a sample (worker thread)                       0.80 -> 0.88
 *   2D map: UMAP on a sample, the rest placed (worker thread)    0.88 -> 0.94
 *   external metrics, c-TF-IDF keywords and labels, representatives (in process, yielding between)
 * Deterministic for a given seed: the same documents and parameters give the same assignments.
 */
import { badInput } from '../../errors.js';
import { keywordsByAssignment, labelFromKeywords } from '../../ml/keywords.js';
import { runKmeansInWorker } from '../../ml/kmeans/run-in-worker.js';
import { representatives } from '../../ml/representatives.js';
import type { ClusteringOutcome, ClusteringPatch, ClusteringRow, ClusterRepresentative, CollectionRow, Store } from '../../store/types.js';
import type { JobReport } from '../jobs/job-runner.js';
import { loadClusteringData } from './data.js';
import { CLUSTERING_DEFAULTS, chooseKRange } from './params.js';
import { externalQuality } from './quality.js';
import { parseFilter } from '../filter.js';
import { chooseKInThread, silhouetteInThread } from './ml-thread.js';
import { clusterMap } from './projection.js';

/** Lets queued requests run between the synchronous steps. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Squared Euclidean distance of row i to centroid j. */
function squaredDistance(data: Float32Array, i: number, centroids: Float32Array, j: number, dims: number): number {
  let s = 0;
  for (let t = 0; t < dims; t++) {
    const d = data[i * dims + t]! - centroids[j * dims + t]!;
    s += d * d;
  }
  return s;
}

/** Computes the clustering `c` of `collection`; throws AbortError when `signal` fires. */
export async function computeClustering(
  store: Store,
  collection: CollectionRow,
  c: ClusteringRow,
  opts: { expected: number; signal: AbortSignal; report: JobReport<ClusteringPatch> },
): Promise<ClusteringOutcome> {
  const { signal, report } = opts;
  const data = await loadClusteringData(store, collection, parseFilter(c.filter), {
    expected: opts.expected, signal, onProgress: (f) => report(0.1 * f), module: c.module,
  });
  const { n, dims, vectors } = data;
  const metric = collection.metric === 'l2' ? 'euclidean' : 'cosine';
  const left = `${n} matching document${n === 1 ? '' : 's'} remained when the job ran`;

  let k: number;
  let kChosenBy: string;
  if (c.kRequested !== null) {
    if (c.kRequested > n) throw badInput(`${left}; k=${c.kRequested} needs at least ${c.kRequested}`);
    k = c.kRequested;
    kChosenBy = 'requested';
  } else {
    if (n < 3) throw badInput(`${left}; choosing k needs at least 3`);
    const chosen = await chooseKInThread(vectors, n, dims, { ...chooseKRange(n), sampleSize: CLUSTERING_DEFAULTS.sampleSize, seed: c.seed, metric }, {
      signal, onProgress: (f) => report(0.1 + 0.2 * f),
    });
    k = chosen.k;
    kChosenBy = chosen.reason;
  }
  report(0.3, { k, kChosenBy });

  const km = await runKmeansInWorker(vectors, n, dims, { k, seed: c.seed, restarts: c.restarts, signal, onProgress: (f) => report(0.3 + 0.5 * f) });
  const silhouette = await silhouetteInThread(vectors, n, dims, km.assignments, { metric, sampleSize: CLUSTERING_DEFAULTS.sampleSize, seed: c.seed }, signal);
  report(0.88);
  const projection = await clusterMap(vectors, n, dims, c.seed, { signal, onProgress: (f) => report(0.88 + 0.06 * f) });
  const external = externalQuality(data.metadata, km.assignments, c.evaluateAgainst);

  await yieldToLoop();
  const keywords = keywordsByAssignment(data.texts, km.assignments, k, { topN: CLUSTERING_DEFAULTS.keywords });
  report(0.95);
  await yieldToLoop();
  const reps = representatives(vectors, n, dims, km.assignments, km.centroids, CLUSTERING_DEFAULTS.representatives);
  const sizes = new Array<number>(k).fill(0);
  for (const a of km.assignments) sizes[a] = sizes[a]! + 1;

  return {
    k,
    kChosenBy,
    quality: { silhouette, silhouetteSampleSize: Math.min(n, CLUSTERING_DEFAULTS.sampleSize), inertia: km.inertia, ...external },
    clusters: sizes.map((size, index) => ({
      index,
      size,
      label: labelFromKeywords(keywords[index]!) || `cluster ${index}`,
      keywords: keywords[index]!.map((w) => ({ term: w.term, score: w.score })),
      representatives: reps[index]!.map((r): ClusterRepresentative => ({
        documentKey: data.keys[r.index]!,
        score: r.score,
        distance: collection.metric === 'l2' ? squaredDistance(vectors, r.index, km.centroids, index, dims) : 1 - r.score,
      })),
    })),
    documentKeys: data.keys,
    assignments: km.assignments,
    projection,
  };
}
