/**
 * The row-parallel steps of k-means, each run on one chunk of rows by whichever thread claims it.
 * A step reads the shared centres and writes only its own rows and its own chunk's partial results,
 * so chunks can run in any order on any thread.
 */
import { assignChunk } from './assign.js';
import { BLOCK_ROWS, STAT, STATS, type Workspace } from './workspace.js';

/** Step codes, shared with helper threads. */
export const RowOp = {
  exit: 0,
  /** Squared row norms, per-dimension sums (for the data variance) and a finiteness check. */
  norms: 1,
  /** Squared distances from every row to a0 k-means++ candidates, and each candidate's potential. */
  seedTrials: 2,
  /** Keeps candidate a0: closest = min(closest, its distances); the chunk's potential. */
  seedCommit: 3,
  /** Nearest-centre assignment, computing only the distances the bounds leave open (a0 = 1: all). */
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
      return assignChunk(ws, chunk, a0 === 1);
    default:
      throw new Error(`unknown k-means row step ${op}`);
  }
}

function norms(ws: Workspace, chunk: number): void {
  const { dp, k, off } = ws.layout;
  const [lo, hi] = ws.chunkRange(chunk);
  const { xSq, kernels } = ws;
  const rowBytes = dp * 4;
  // the chunk's per-dimension sums go to its first centre-sum slot (free until Lloyd starts)
  const base = chunk * k * dp;
  ws.chunkSums.fill(0, base, base + dp);
  const sumPtr = off.chunkSums + base * 8;
  let total = 0;
  let bad = 0;
  for (let i = lo; i < hi; i++) {
    const s = kernels.sqNorm(off.x + i * rowBytes, rowBytes);
    kernels.addRow(off.x + i * rowBytes, rowBytes, sumPtr);
    if (!Number.isFinite(s) && bad === 0) bad = i + 1;
    xSq[i] = s;
    total += s;
  }
  ws.chunkStats[chunk * STATS + STAT.sum] = total;
  ws.chunkStats[chunk * STATS + STAT.badRow] = bad;
}

function seedTrials(ws: Workspace, chunk: number, nCand: number): void {
  const { n, dp, tPad, off } = ws.layout;
  const [lo, hi] = ws.chunkRange(chunk);
  const { xSq, candSq, closest, candD, out } = ws;
  const pots = new Float64Array(nCand);
  for (let row = lo; row < hi; row += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, hi - row);
    ws.kernels.dots(off.ident + row * 4, count + (count & 1), off.x, dp * 4, off.cand, tPad, dp * 4, ws.ptr.out);
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
  ws.chunkStats[chunk * STATS + STAT.sum] = total;
}
