/**
 * The row-parallel steps of k-means, each run on one chunk of rows by whichever thread claims it.
 * A step reads the shared centres and writes only its own rows and its own chunk's partial results,
 * so chunks can run in any order on any thread.
 */
import { BLOCK_ROWS, type Workspace } from './kmeans-workspace.js';

/** Step codes, shared with helper threads. */
export const RowOp = {
  exit: 0,
  /** Squared row norms, per-dimension sums (for the data variance) and a finiteness check. */
  norms: 1,
  /** Squared distances from every row to a0 k-means++ candidates, and each candidate's potential. */
  seedTrials: 2,
  /** Keeps candidate a0: closest = min(closest, its distances); the chunk's potential. */
  seedCommit: 3,
  /** Assigns rows to their nearest centre, skipping rows whose Hamerly bounds prove it unchanged (a0 = 1 forces all). */
  assign: 4,
} as const;

/** Runs step `op` on `chunk`. */
export function runRowOp(ws: Workspace, op: number, chunk: number, a0: number): void {
  switch (op) {
    case RowOp.norms:
      return norms(ws, chunk);
    case RowOp.seedTrials:
      return seedTrials(ws, chunk, a0);
    case RowOp.seedCommit:
      return seedCommit(ws, chunk, a0);
    case RowOp.assign:
      return assign(ws, chunk, a0 === 1);
    default:
      throw new Error(`unknown k-means row step ${op}`);
  }
}

function norms(ws: Workspace, chunk: number): void {
  const { dims, dp, k } = ws.layout;
  const [lo, hi] = ws.chunkRange(chunk);
  const { x, xSq, chunkSums: sums, chunkStats: stats } = ws;
  const base = chunk * k * dp;
  sums.fill(0, base, base + dp);
  let total = 0;
  let bad = 0;
  for (let i = lo; i < hi; i++) {
    const o = i * dp;
    let s = 0;
    for (let t = 0; t < dims; t++) {
      const v = x[o + t]!;
      s += v * v;
      sums[base + t] = sums[base + t]! + v;
    }
    if (!Number.isFinite(s) && bad === 0) bad = i + 1;
    xSq[i] = s;
    total += s;
  }
  stats[chunk * 4 + 1] = total;
  stats[chunk * 4 + 2] = bad;
}

function seedTrials(ws: Workspace, chunk: number, nCand: number): void {
  const { n, dp, tPad, off } = ws.layout;
  const [lo, hi] = ws.chunkRange(chunk);
  const { xSq, candSq, closest, candD, out } = ws;
  const pots = new Float64Array(nCand);
  for (let row = lo; row < hi; row += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, hi - row);
    ws.dots(off.ident + row * 4, count + (count & 1), off.x, dp * 4, off.cand, tPad, dp * 4, ws.outPtr);
    for (let q = 0; q < count; q++) {
      const i = row + q;
      const near = closest[i]!;
      for (let c = 0; c < nCand; c++) {
        const d2 = Math.fround(Math.max(0, xSq[i]! + candSq[c]! - 2 * out[q * tPad + c]!));
        candD[c * n + i] = d2;
        pots[c] = pots[c]! + (d2 < near ? d2 : near);
      }
    }
  }
  for (let c = 0; c < nCand; c++) ws.chunkPots[chunk * tPad + c] = pots[c]!;
}

function seedCommit(ws: Workspace, chunk: number, best: number): void {
  const { n } = ws.layout;
  const [lo, hi] = ws.chunkRange(chunk);
  const { closest, candD } = ws;
  let total = 0;
  for (let i = lo; i < hi; i++) {
    const d2 = candD[best * n + i]!;
    if (d2 < closest[i]!) closest[i] = d2;
    total += closest[i]!;
  }
  ws.chunkStats[chunk * 4 + 1] = total;
}

function assign(ws: Workspace, chunk: number, force: boolean): void {
  const { k } = ws.layout;
  const [lo, hi] = ws.chunkRange(chunk);
  const { labels, upper, lower, move, half, idx } = ws;
  const maxMove = move[k]!;
  const secondMove = move[k + 1]!;
  const argMax = move[k + 2]!;
  let gathered = 0;
  let changed = 0;
  let recomputed = 0;
  for (let i = lo; i < hi; i++) {
    const a = labels[i]!;
    if (!force && a >= 0) {
      // Hamerly: centres moved since the bounds were exact, so loosen them, then test
      const u = upper[i]! + move[a]!;
      const l = lower[i]! - (a === argMax ? secondMove : maxMove);
      upper[i] = u;
      lower[i] = l;
      const h = half[a]!;
      if (u <= (h > l ? h : l)) continue;
    }
    idx[gathered++] = i;
    recomputed++;
    if (gathered === BLOCK_ROWS) {
      changed += assignGathered(ws, chunk, gathered);
      gathered = 0;
    }
  }
  if (gathered > 0) changed += assignGathered(ws, chunk, gathered);
  ws.chunkStats[chunk * 4] = changed;
  ws.chunkStats[chunk * 4 + 3] = recomputed;
}

/** Exact nearest and second-nearest centre for the gathered rows; moves changed rows between chunk sums. */
function assignGathered(ws: Workspace, chunk: number, count: number): number {
  const { dims, dp, k, kPad, off } = ws.layout;
  const { x, xSq, cSq, labels, upper, lower, out, idx, chunkSums: sums, chunkSq, chunkCounts } = ws;
  if (count & 1) idx[count] = idx[count - 1]!;
  ws.dots(ws.idxPtr, count + (count & 1), off.x, dp * 4, off.centres, kPad, dp * 4, ws.outPtr);
  const base = chunk * k;
  let changed = 0;
  for (let q = 0; q < count; q++) {
    const i = idx[q]!;
    const xs = xSq[i]!;
    const o = q * kPad;
    let best = 0;
    let d1 = Infinity;
    let d2 = Infinity;
    for (let j = 0; j < k; j++) {
      const d = xs + cSq[j]! - 2 * out[o + j]!;
      if (d < d1) {
        d2 = d1;
        d1 = d;
        best = j;
      } else if (d < d2) d2 = d;
    }
    upper[i] = Math.sqrt(d1 > 0 ? d1 : 0);
    lower[i] = d2 === Infinity ? Infinity : Math.sqrt(d2 > 0 ? d2 : 0);
    const old = labels[i]!;
    if (old === best) continue;
    labels[i] = best;
    changed++;
    const row = i * dp;
    if (old >= 0) {
      const s = (base + old) * dp;
      for (let t = 0; t < dims; t++) sums[s + t] = sums[s + t]! - x[row + t]!;
      chunkSq[base + old] = chunkSq[base + old]! - xs;
      chunkCounts[base + old] = chunkCounts[base + old]! - 1;
    }
    const s = (base + best) * dp;
    for (let t = 0; t < dims; t++) sums[s + t] = sums[s + t]! + x[row + t]!;
    chunkSq[base + best] = chunkSq[base + best]! + xs;
    chunkCounts[base + best] = chunkCounts[base + best]! + 1;
  }
  return changed;
}
