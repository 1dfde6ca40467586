/**
 * The k-means driver over a loaded workspace, shared by the in-process `kmeans()` and the worker
 * path: norms, then either restarts of k-means++ + Lloyd (best inertia kept), or mini-batch from
 * the best of several k-means++ seedings on an init sample, then one full assignment.
 */
import { assignStep, inertia, lloyd, newTotals, resetAssignment } from './lloyd.js';
import { miniBatch } from './minibatch.js';
import { RowOp } from './rows.js';
import { LocalRunner, type RowRunner } from './runner.js';
import { seedPlusPlus, seedRandom } from './seed.js';
import { allocateMemory, loadRows, planLayout, STAT, STATS, Workspace } from './workspace.js';
import { releaseMemory } from '../memory-pool.js';
import { createRng, type Rng } from '../prng.js';

/** Options after defaults; plain data, so it can be posted to a worker. */
export interface SolveOptions {
  k: number;
  seed: number;
  restarts: number;
  maxIter: number;
  tol: number;
  /** Batch size, or 0 for full-batch Lloyd. */
  batch: number;
  init: 'k-means++' | 'random';
}

/** What the driver returns; assignments are copied out of the workspace. */
export interface SolveResult {
  centroids: Float32Array;
  assignments: Int32Array;
  inertia: number;
  iterations: number;
  restartsRun: number;
  miniBatch: boolean;
}

/** Clusters the rows loaded in `ws`; `onProgress` gets a fraction in [0, 1], nondecreasing. */
export function solveKmeans(
  ws: Workspace,
  runner: RowRunner,
  opts: SolveOptions,
  onProgress?: (fraction: number) => void,
): SolveResult {
  const tol = opts.tol * meanVariance(ws, runner);
  const rng = createRng(opts.seed);
  if (opts.batch > 0) return solveMiniBatch(ws, runner, opts, rng, onProgress);
  let best: SolveResult | null = null;
  for (let r = 0; r < opts.restarts; r++) {
    if (opts.init === 'random') seedRandom(ws, rng);
    else seedPlusPlus(ws, runner, rng);
    const onIteration = (it: number): void => onProgress?.((r + it / opts.maxIter) / opts.restarts);
    const outcome = lloyd(ws, runner, opts.maxIter, tol, onIteration);
    if (!best || outcome.inertia < best.inertia) {
      best = { ...snapshot(ws), inertia: outcome.inertia, iterations: outcome.iterations, restartsRun: 0, miniBatch: false };
    }
    onProgress?.((r + 1) / opts.restarts);
  }
  return { ...best!, restartsRun: opts.restarts };
}

/** Squared norms of all rows (rejecting non-finite values) and sklearn's tol scale: mean per-feature variance. */
function meanVariance(ws: Workspace, runner: RowRunner): number {
  const { n, k, dims, dp, nChunks } = ws.layout;
  runner.run(RowOp.norms);
  const mean = new Float64Array(dims);
  let total = 0;
  for (let ch = 0; ch < nChunks; ch++) {
    const bad = ws.chunkStats[ch * STATS + STAT.badRow]!;
    if (bad > 0) throw new RangeError(`kmeans: row ${bad - 1} has a non-finite value (NaN or Infinity)`);
    total += ws.chunkStats[ch * STATS + STAT.sum]!;
    for (let t = 0; t < dims; t++) mean[t] = mean[t]! + ws.chunkSums[ch * k * dp + t]!;
  }
  let meanSq = 0;
  for (let t = 0; t < dims; t++) meanSq += (mean[t]! / n) ** 2;
  return Math.max(0, total / n - meanSq) / dims;
}

function snapshot(ws: Workspace): Pick<SolveResult, 'centroids' | 'assignments'> {
  const { k, dims, dp } = ws.layout;
  const centroids = new Float32Array(k * dims);
  for (let j = 0; j < k; j++) centroids.set(ws.centres.subarray(j * dp, j * dp + dims), j * dims);
  return { centroids, assignments: ws.labels.slice() };
}

function solveMiniBatch(
  ws: Workspace,
  runner: RowRunner,
  opts: SolveOptions,
  rng: Rng,
  onProgress?: (fraction: number) => void,
): SolveResult {
  const { n, dims, dp, k } = ws.layout;
  // seed on an init sample (sklearn: init_size = 3 * batch), keeping the lowest-potential seeding
  const initSize = Math.min(n, Math.max(3 * opts.batch, 3 * k));
  const sampleLayout = planLayout(initSize, dims, k, 1);
  const sampleMemory = allocateMemory(sampleLayout);
  const sample = new Workspace(sampleMemory, sampleLayout, 0);
  const picked = new Float32Array(initSize * dims);
  for (let s = 0; s < initSize; s++) {
    const row = rng.int(n) * dp;
    for (let t = 0; t < dims; t++) picked[s * dims + t] = ws.x[row + t]!;
  }
  loadRows(sample, picked);
  const sampleRunner = new LocalRunner(sample);
  sampleRunner.run(RowOp.norms);
  let bestPot = Infinity;
  const seedings = opts.init === 'random' ? 1 : opts.restarts;
  for (let r = 0; r < seedings; r++) {
    const pot = opts.init === 'random' ? (seedRandom(sample, rng), 0) : seedPlusPlus(sample, sampleRunner, rng);
    if (pot < bestPot) {
      bestPot = pot;
      ws.centres.set(sample.centres);
      ws.cSq.set(sample.cSq);
    }
  }
  releaseMemory(sampleMemory);
  const maxSteps = Math.max(1, Math.ceil((opts.maxIter * n) / opts.batch));
  const steps = miniBatch(ws, rng, opts.batch, maxSteps, (s) => onProgress?.((0.95 * s) / maxSteps));
  resetAssignment(ws);
  const totals = newTotals(ws);
  assignStep(ws, runner, totals, true);
  onProgress?.(1);
  return { ...snapshot(ws), inertia: inertia(ws, totals), iterations: steps, restartsRun: seedings, miniBatch: true };
}
