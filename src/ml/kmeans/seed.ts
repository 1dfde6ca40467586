/**
 * Greedy k-means++ seeding, as scikit-learn's `_kmeans_plusplus` (Arthur and Vassilvitskii, 2007;
 * greedy variant from Celebi et al. 2013): each step samples 2 + floor(ln k) candidates with
 * probability proportional to the squared distance to the nearest chosen centre, and keeps the one
 * that lowers the potential (sum of those squared distances) the most.
 */
import { RowOp } from './rows.js';
import type { RowRunner } from './runner.js';
import { STAT, STATS, type Workspace } from './workspace.js';
import type { Rng } from '../prng.js';

/** Seeds ws.centres (and ws.cSq) with k rows; returns the final potential. */
export function seedPlusPlus(ws: Workspace, runner: RowRunner, rng: Rng): number {
  const { n, k, trials, nChunks, tPad } = ws.layout;
  ws.closest.fill(Infinity);
  const first = rng.int(n);
  setCandidates(ws, [first]);
  runner.run(RowOp.seedTrials, 1);
  runner.run(RowOp.seedCommit, 0);
  setCentre(ws, 0, first);
  const ids = new Array<number>(trials).fill(0);
  for (let c = 1; c < k; c++) {
    const pot = chunkTotal(ws);
    for (let t = 0; t < trials; t++) ids[t] = sampleRow(ws, rng.next() * pot);
    setCandidates(ws, ids);
    runner.run(RowOp.seedTrials, trials);
    let best = 0;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      let p = 0;
      for (let ch = 0; ch < nChunks; ch++) p += ws.chunkPots[ch * tPad + t]!;
      if (p < bestPot) {
        bestPot = p;
        best = t;
      }
    }
    runner.run(RowOp.seedCommit, best);
    setCentre(ws, c, ids[best]!);
  }
  return chunkTotal(ws);
}

function chunkTotal(ws: Workspace): number {
  let total = 0;
  for (let ch = 0; ch < ws.layout.nChunks; ch++) total += ws.chunkStats[ch * STATS + STAT.sum]!;
  return total;
}

/** The first row whose cumulative potential reaches r (numpy searchsorted, side left), clipped to the last row. */
function sampleRow(ws: Workspace, r: number): number {
  const { n, nChunks } = ws.layout;
  let acc = 0;
  for (let ch = 0; ch < nChunks; ch++) {
    const sum = ws.chunkStats[ch * STATS + STAT.sum]!;
    if (acc + sum >= r) {
      const [lo, hi] = ws.chunkRange(ch);
      for (let i = lo; i < hi; i++) {
        acc += ws.closest[i]!;
        if (acc >= r) return i;
      }
      return hi - 1;
    }
    acc += sum;
  }
  return n - 1;
}

function setCandidates(ws: Workspace, rows: number[]): void {
  const dp = ws.layout.dp;
  ws.cand.fill(0);
  rows.forEach((row, t) => {
    ws.cand.set(ws.x.subarray(row * dp, (row + 1) * dp), t * dp);
    ws.candSq[t] = ws.xSq[row]!;
  });
}

function setCentre(ws: Workspace, c: number, row: number): void {
  const dp = ws.layout.dp;
  ws.centres.set(ws.x.subarray(row * dp, (row + 1) * dp), c * dp);
  ws.cSq[c] = ws.xSq[row]!;
}

/** Seeds with k distinct rows chosen uniformly at random (the baseline k-means++ is compared against). */
export function seedRandom(ws: Workspace, rng: Rng): void {
  const { n, k } = ws.layout;
  const chosen = new Set<number>();
  for (let c = 0; c < k; c++) {
    let row = rng.int(n);
    while (chosen.has(row)) row = rng.int(n);
    chosen.add(row);
    setCentre(ws, c, row);
  }
}
