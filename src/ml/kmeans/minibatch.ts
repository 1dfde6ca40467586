/**
 * Mini-batch k-means (Sculley 2010, "Web-scale k-means clustering"), in scikit-learn's batched
 * form: each step assigns a random batch (drawn with replacement) to the nearest centres and moves
 * every touched centre to the running mean of all rows it has received. Stops early when the
 * smoothed batch inertia has not improved for 10 steps (sklearn's max_no_improvement). Centres that
 * have received no row are re-seeded from the batch row farthest from its centre.
 * Runs on the calling thread only: a step is a few hundred microseconds.
 */
import { BLOCK_ROWS, type Workspace } from './workspace.js';
import type { Rng } from '../prng.js';

const MAX_NO_IMPROVEMENT = 10;

/** Runs at most maxSteps mini-batch steps from the centres in ws.centres; returns the steps run. */
export function miniBatch(ws: Workspace, rng: Rng, batch: number, maxSteps: number, onStep?: (step: number) => void): number {
  const { n, k, dims, dp, kPad, off } = ws.layout;
  const { x, xSq, centres, cSq, full: idx, out } = ws;
  const weights = new Float64Array(k);
  const master = Float64Array.from(centres.subarray(0, k * dp));
  const bSums = new Float64Array(k * dp);
  const bCounts = new Float64Array(k);
  const rows = new Int32Array(batch);
  const labels = new Int32Array(batch);
  const dist = new Float64Array(batch);
  const alpha = Math.min(1, (2 * batch) / (n + 1));
  let ewa = NaN;
  let bestEwa = Infinity;
  let noImprovement = 0;
  let step = 0;
  while (step < maxSteps) {
    for (let b = 0; b < batch; b++) rows[b] = rng.int(n);
    let batchInertia = 0;
    for (let b0 = 0; b0 < batch; b0 += BLOCK_ROWS) {
      const count = Math.min(BLOCK_ROWS, batch - b0);
      idx.set(rows.subarray(b0, b0 + count));
      if (count & 1) idx[count] = idx[count - 1]!;
      ws.kernels.dots(ws.ptr.full, count + (count & 1), off.x, dp * 4, off.centres, kPad, dp * 4, ws.ptr.out);
      for (let q = 0; q < count; q++) {
        const xs = xSq[rows[b0 + q]!]!;
        let best = 0;
        let d1 = Infinity;
        for (let j = 0; j < k; j++) {
          const d = xs + cSq[j]! - 2 * out[q * kPad + j]!;
          if (d < d1) {
            d1 = d;
            best = j;
          }
        }
        labels[b0 + q] = best;
        dist[b0 + q] = d1 > 0 ? d1 : 0;
        batchInertia += dist[b0 + q]!;
      }
    }
    bSums.fill(0);
    bCounts.fill(0);
    for (let b = 0; b < batch; b++) {
      const j = labels[b]!;
      const row = rows[b]! * dp;
      bCounts[j] = bCounts[j]! + 1;
      for (let t = 0; t < dims; t++) bSums[j * dp + t] = bSums[j * dp + t]! + x[row + t]!;
    }
    for (let j = 0; j < k; j++) {
      const c = bCounts[j]!;
      if (c === 0) continue;
      const w = weights[j]! + c;
      for (let t = 0; t < dims; t++) master[j * dp + t] = (master[j * dp + t]! * weights[j]! + bSums[j * dp + t]!) / w;
      weights[j] = w;
      publish(ws, master, j);
    }
    reseedUnused(ws, master, weights, rows, dist);
    step++;
    onStep?.(step);
    ewa = Number.isNaN(ewa) ? batchInertia / batch : ewa * (1 - alpha) + (alpha * batchInertia) / batch;
    if (ewa < bestEwa) {
      bestEwa = ewa;
      noImprovement = 0;
    } else if (++noImprovement >= MAX_NO_IMPROVEMENT) break;
  }
  return step;
}

/** Writes master centre j into the kernel's float32 centres. */
function publish(ws: Workspace, master: Float64Array, j: number): void {
  const { dims, dp } = ws.layout;
  let sq = 0;
  for (let t = 0; t < dims; t++) {
    const v = Math.fround(master[j * dp + t]!);
    ws.centres[j * dp + t] = v;
    sq += v * v;
  }
  ws.cSq[j] = sq;
}

function reseedUnused(ws: Workspace, master: Float64Array, weights: Float64Array, rows: Int32Array, dist: Float64Array): void {
  const { k, dims, dp } = ws.layout;
  for (let j = 0; j < k; j++) {
    if (weights[j] !== 0) continue;
    let far = -1;
    for (let b = 0; b < rows.length; b++) if (dist[b]! > 0 && (far < 0 || dist[b]! > dist[far]!)) far = b;
    if (far < 0) return;
    dist[far] = 0;
    for (let t = 0; t < dims; t++) master[j * dp + t] = ws.x[rows[far]! * dp + t]!;
    publish(ws, master, j);
  }
}
