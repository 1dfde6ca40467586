/**
 * Lloyd's k-means iterations. Each assignment (assign.ts) computes only the distances that
 * Hamerly's and Elkan's triangle-inequality bounds cannot rule out; the result equals plain Lloyd
 * up to float rounding of near ties. Here: the centres' update from the chunks' sums, their
 * movement and half-distances (for the bounds), and empty clusters, re-seeded from the rows
 * farthest from their centres. Convergence follows scikit-learn's lloyd: stop when no label
 * changes (strict) or when the summed squared centre shift is <= tol; when not strict, a last
 * assignment makes the labels match the returned centres.
 */
import { RowOp } from './rows.js';
import type { RowRunner } from './runner.js';
import { BLOCK_ROWS, STAT, STATS, type Workspace } from './workspace.js';

/** Outcome of one Lloyd run (labels and centres are left in the workspace). */
export interface LloydOutcome {
  iterations: number;
  inertia: number;
  strict: boolean;
}

/** Per-centre totals reduced over chunks, in chunk order. */
export interface Totals {
  sums: Float64Array;
  counts: Float64Array;
  sq: Float64Array;
}

/** Runs Lloyd from the centres in ws.centres for at most maxIter iterations. */
export function lloyd(
  ws: Workspace,
  runner: RowRunner,
  maxIter: number,
  tol: number,
  onIteration?: (iteration: number) => void,
): LloydOutcome {
  resetAssignment(ws);
  const totals = newTotals(ws);
  let strict = false;
  let it = 0;
  while (it < maxIter) {
    let changed = assignStep(ws, runner, totals);
    if (hasEmpty(totals)) changed += relocateEmpty(ws, runner, totals);
    const shift = updateCentres(ws, totals);
    it++;
    onIteration?.(it);
    if (changed === 0) {
      strict = true;
      break;
    }
    if (shift <= tol) break;
  }
  if (!strict) assignStep(ws, runner, totals);
  return { iterations: it, inertia: inertia(ws, totals), strict };
}

/** Forgets all labels and chunk sums (the next assignment visits every row). */
export function resetAssignment(ws: Workspace): void {
  ws.labels.fill(-1);
  ws.chunkStats.fill(0);
  ws.chunkSums.fill(0);
  ws.chunkSq.fill(0);
  ws.chunkCounts.fill(0);
  ws.move.fill(0);
  ws.drift.fill(0);
}

/** Zeroed totals sized for the workspace. */
export function newTotals(ws: Workspace): Totals {
  const { k, dp } = ws.layout;
  return { sums: new Float64Array(k * dp), counts: new Float64Array(k), sq: new Float64Array(k) };
}

/** One assignment over all rows (bounds first, unless forced); returns the number of changed labels. */
export function assignStep(ws: Workspace, runner: RowRunner, totals: Totals, force = false): number {
  if (!force) computeHalf(ws);
  runner.run(RowOp.assign, force ? 1 : 0);
  ws.move.fill(0);
  let changed = 0;
  for (let ch = 0; ch < ws.layout.nChunks; ch++) changed += ws.chunkStats[ch * STATS + STAT.changed]!;
  reduce(ws, totals);
  return changed;
}

function reduce(ws: Workspace, totals: Totals): void {
  const { k, dp, nChunks } = ws.layout;
  const { sums, counts, sq } = totals;
  sums.fill(0);
  counts.fill(0);
  sq.fill(0);
  for (let ch = 0; ch < nChunks; ch++) {
    const base = ch * k;
    for (let j = 0; j < k; j++) {
      counts[j] = counts[j]! + ws.chunkCounts[base + j]!;
      sq[j] = sq[j]! + ws.chunkSq[base + j]!;
      const s = (base + j) * dp;
      for (let t = 0; t < dp; t++) sums[j * dp + t] = sums[j * dp + t]! + ws.chunkSums[s + t]!;
    }
  }
}

function hasEmpty(totals: Totals): boolean {
  return totals.counts.some((c) => c === 0);
}

/** Moves the rows farthest from their centres into empty clusters (exact distances first); returns labels changed. */
function relocateEmpty(ws: Workspace, runner: RowRunner, totals: Totals): number {
  const { n, k, dims, dp } = ws.layout;
  let changed = assignStep(ws, runner, totals, true);
  const taken = new Uint8Array(n);
  for (let j = 0; j < k; j++) {
    if (totals.counts[j] !== 0) continue;
    let far = -1;
    for (let i = 0; i < n; i++) {
      if (taken[i] || totals.counts[ws.labels[i]!]! <= 1) continue;
      if (far < 0 || ws.upper[i]! > ws.upper[far]!) far = i;
    }
    if (far < 0) continue;
    taken[far] = 1;
    const old = ws.labels[far]!;
    const base = Math.floor(far / ws.layout.chunkRows) * k;
    const xs = ws.xSq[far]!;
    for (let t = 0; t < dims; t++) {
      const v = ws.x[far * dp + t]!;
      ws.chunkSums[(base + old) * dp + t] = ws.chunkSums[(base + old) * dp + t]! - v;
      ws.chunkSums[(base + j) * dp + t] = ws.chunkSums[(base + j) * dp + t]! + v;
      totals.sums[old * dp + t] = totals.sums[old * dp + t]! - v;
      totals.sums[j * dp + t] = totals.sums[j * dp + t]! + v;
    }
    ws.chunkSq[base + old] = ws.chunkSq[base + old]! - xs;
    ws.chunkSq[base + j] = ws.chunkSq[base + j]! + xs;
    ws.chunkCounts[base + old] = ws.chunkCounts[base + old]! - 1;
    ws.chunkCounts[base + j] = ws.chunkCounts[base + j]! + 1;
    totals.counts[old] = totals.counts[old]! - 1;
    totals.counts[j] = totals.counts[j]! + 1;
    totals.sq[old] = totals.sq[old]! - xs;
    totals.sq[j] = totals.sq[j]! + xs;
    ws.labels[far] = j;
    // its bounds refer to the old centre: keep the exact distance to it, force the rest
    if (ws.layout.elkan) ws.lb[far * k + old] = ws.upper[far]! + ws.drift[old]!;
    else ws.lower[far] = 0;
    ws.upper[far] = Infinity;
    changed++;
  }
  return changed;
}

/** Centres become their members' means; records each centre's movement; returns the summed squared shift. */
function updateCentres(ws: Workspace, totals: Totals): number {
  const { k, dims, dp } = ws.layout;
  const { centres, cSq, move } = ws;
  let total = 0;
  let max1 = 0;
  let max2 = 0;
  let arg = -1;
  for (let j = 0; j < k; j++) {
    const count = totals.counts[j]!;
    let shift = 0;
    if (count > 0) {
      let sq = 0;
      for (let t = 0; t < dims; t++) {
        const v = Math.fround(totals.sums[j * dp + t]! / count);
        const d = v - centres[j * dp + t]!;
        shift += d * d;
        sq += v * v;
        centres[j * dp + t] = v;
      }
      cSq[j] = sq;
    }
    total += shift;
    const m = Math.sqrt(shift);
    move[j] = m;
    ws.drift[j] = ws.drift[j]! + m;
    if (m > max1) {
      max2 = max1;
      max1 = m;
      arg = j;
    } else if (m > max2) max2 = m;
  }
  move[k] = max1;
  move[k + 1] = max2;
  move[k + 2] = arg;
  return total;
}

/** cc[j * k + m] = half the distance between centres j and m; half[j] = its minimum over m != j (Hamerly's s). */
function computeHalf(ws: Workspace): void {
  const { k, kPad, dp, off } = ws.layout;
  const { half, cc, cSq, out } = ws;
  for (let j0 = 0; j0 < k; j0 += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, k - j0);
    ws.kernels.dots(off.ident + j0 * 4, count + (count & 1), off.centres, dp * 4, off.centres, kPad, dp * 4, ws.ptr.out);
    for (let q = 0; q < count; q++) {
      const j = j0 + q;
      let best = Infinity;
      for (let m = 0; m < k; m++) {
        const d2 = cSq[j]! + cSq[m]! - 2 * out[q * kPad + m]!;
        const h = m === j ? 0 : 0.5 * Math.sqrt(d2 > 0 ? d2 : 0);
        cc[j * k + m] = h;
        if (m !== j && h < best) best = h;
      }
      half[j] = best;
    }
  }
}

/** Sum of squared distances from rows to their centres, from the chunk totals (no pass over rows). */
export function inertia(ws: Workspace, totals: Totals): number {
  const { k, dims, dp } = ws.layout;
  let total = 0;
  for (let j = 0; j < k; j++) {
    if (totals.counts[j] === 0) continue;
    let dot = 0;
    for (let t = 0; t < dims; t++) dot += ws.centres[j * dp + t]! * totals.sums[j * dp + t]!;
    total += totals.sq[j]! - 2 * dot + totals.counts[j]! * ws.cSq[j]!;
  }
  return Math.max(0, total);
}
