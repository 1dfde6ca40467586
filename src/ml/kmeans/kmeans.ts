/**
 * k-means clustering of row-major float32 vectors: greedy k-means++ seeding, restarts keeping the
 * lowest inertia, Lloyd iterations pruned by Hamerly and Elkan bounds over WebAssembly SIMD kernels,
 * and mini-batch k-means for large inputs. Deterministic: the same data, options and seed give
 * bit-identical results, in process or in workers, with any thread count.
 *
 * `kmeans()` runs synchronously on the calling thread: use it for small inputs (a few thousand
 * rows), scripts and tests. There is no in-process async variant that yields between iterations
 * (a yield every iteration would still block for a whole pass over the data): long runs belong to
 * `runKmeansInWorker()` (run-in-worker.ts; same options, bit-identical result), which works
 * in worker threads, reports progress by message and never blocks the caller's event loop.
 */
import { LocalRunner } from './runner.js';
import { solveKmeans, type SolveOptions } from './solve.js';
import { allocateMemory, loadRows, planLayout, Workspace } from './workspace.js';
import { releaseMemory, touchPages } from '../memory-pool.js';

/** Above this many rows, `miniBatch: 'auto'` switches to mini-batch k-means. */
const MINI_BATCH_AUTO_ROWS = 50_000;
/** Batch size for `miniBatch: 'auto'` (scikit-learn's MiniBatchKMeans default). */
const DEFAULT_BATCH_SIZE = 1024;

/** Options of `kmeans()`. */
export interface KmeansOptions {
  /** Number of clusters, 1 <= k <= n. */
  k: number;
  /** PRNG seed (default 0). */
  seed?: number;
  /** Independent seedings; the lowest inertia wins (default 4). With mini-batch, seedings of the init sample. */
  restarts?: number;
  /** Lloyd iterations per restart (default 300); with mini-batch, epochs: at most maxIter * n / batch steps. */
  maxIter?: number;
  /** Stop when the summed squared centre shift is <= tol * mean per-feature variance (default 1e-4, as scikit-learn). */
  tol?: number;
  /** Batch size, `'auto'` (default: DEFAULT_BATCH_SIZE when n > MINI_BATCH_AUTO_ROWS, else full batch), or false/0 for full batch. */
  miniBatch?: number | 'auto' | false;
  /** Seeding (default 'k-means++'); 'random' picks k distinct rows uniformly, for comparison. */
  init?: 'k-means++' | 'random';
  /** Called with the fraction done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

/** A clustering. */
export interface KmeansResult {
  /** k x dims, row-major. */
  centroids: Float32Array;
  /** Cluster of each row. */
  assignments: Int32Array;
  /** Sum of squared Euclidean distances from rows to their centroids. */
  inertia: number;
  /** Lloyd iterations of the winning restart, or mini-batch steps. */
  iterations: number;
  restartsRun: number;
  /** Whether mini-batch k-means was used. */
  miniBatch: boolean;
}

const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;

/** Validates the input and applies defaults; throws RangeError with what to change. */
export function resolveKmeansOptions(data: Float32Array, n: number, dims: number, opts: KmeansOptions): SolveOptions {
  if (!positiveInt(n) || !positiveInt(dims)) throw new RangeError(`kmeans: n and dims must be positive integers (got n=${n}, dims=${dims})`);
  if (data.length !== n * dims) {
    throw new RangeError(`kmeans: data has ${data.length} values, expected n*dims = ${n}*${dims} = ${n * dims}`);
  }
  if (!positiveInt(opts.k) || opts.k > n) throw new RangeError(`kmeans: k must be an integer in 1..n=${n} (got ${opts.k})`);
  const restarts = opts.restarts ?? 4;
  const maxIter = opts.maxIter ?? 300;
  const tol = opts.tol ?? 1e-4;
  if (!positiveInt(restarts)) throw new RangeError(`kmeans: restarts must be a positive integer (got ${restarts})`);
  if (!positiveInt(maxIter)) throw new RangeError(`kmeans: maxIter must be a positive integer (got ${maxIter})`);
  if (!(tol >= 0)) throw new RangeError(`kmeans: tol must be >= 0 (got ${tol})`);
  const mb = opts.miniBatch ?? 'auto';
  const batch = mb === 'auto' ? (n > MINI_BATCH_AUTO_ROWS ? DEFAULT_BATCH_SIZE : 0) : mb === false ? 0 : mb;
  if (!Number.isInteger(batch) || batch < 0) throw new RangeError(`kmeans: miniBatch must be 'auto', false or a batch size (got ${mb})`);
  return { k: opts.k, seed: opts.seed ?? 0, restarts, maxIter, tol, batch: Math.min(batch, n), init: opts.init ?? 'k-means++' };
}

/**
 * Clusters n rows of `dims` floats (row-major) into k clusters, synchronously on this thread.
 * Reference: scikit-learn KMeans (lloyd) and MiniBatchKMeans, whose defaults it follows.
 */
export function kmeans(data: Float32Array, n: number, dims: number, opts: KmeansOptions): KmeansResult {
  const solve = resolveKmeansOptions(data, n, dims, opts);
  const layout = planLayout(n, dims, solve.k, 1);
  const memory = allocateMemory(layout);
  try {
    const ws = new Workspace(memory, layout, 0);
    loadRows(ws, data);
    return solveKmeans(ws, new LocalRunner(ws), solve, opts.onProgress);
  } finally {
    releaseMemory(memory);
  }
}

/**
 * Allocates and touches the working memory of a later `kmeans()` (threads = 1) or
 * `runKmeansInWorker()` of this shape and leaves it pooled, so that run does not pay first-touch
 * page faults (seconds for 100k x 512 on some VMs). For benchmarks and for servers at start-up.
 */
export function prewarmKmeansMemory(n: number, dims: number, k: number, threads = 1): void {
  const memory = allocateMemory(planLayout(n, dims, k, threads));
  touchPages(memory);
  releaseMemory(memory);
}
