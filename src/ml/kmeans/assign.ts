/**
 * The assignment step on one chunk of rows, with the triangle-inequality bounds of Hamerly (2010)
 * and Elkan (2003), in three stages so that each distance is computed only if no bound rules it out:
 * 1. bounds: loosen each row's upper bound u and lower bounds by the centres' last movement; keep
 *    the row if u <= max(half-gap of its centre, lowest lower bound);
 * 2. tighten: compute u exactly (one dot with the own centre) and test again;
 * 3. Elkan (when layout.elkan): compute only the centres j with u > lb(j) and u > half d(own, j), as
 *    (row, centre) pairs; a row needing many centres, or every row without Elkan bounds, gets the
 *    register-blocked kernel against all centres.
 * Changed rows move between the chunk's per-centre float64 sums. The labels equal plain Lloyd's
 * up to float32 rounding of near ties.
 */
import { BLOCK_ROWS, STAT, STATS, type Workspace } from './workspace.js';

/** Reusable per-workspace state of the assignment of one chunk. */
class ChunkAssigner {
  private chunk = 0;
  private full = 0;
  private tight = 0;
  private pairs = 0;
  private changed = 0;
  private work = 0;
  private tightened = 0;
  private tightFailed = 0;
  private skipTight = false;
  private readonly rowBytes: number;

  constructor(private readonly ws: Workspace) {
    this.rowBytes = ws.layout.dp * 4;
  }

  run(chunk: number, force: boolean): void {
    const ws = this.ws;
    const { k, elkan } = ws.layout;
    const { labels, upper, lower, move, half, lb, drift } = ws;
    const [lo, hi] = ws.chunkRange(chunk);
    this.chunk = chunk;
    this.changed = 0;
    this.work = 0;
    // early on most rows need all centres anyway: skip stage 2 while it failed for most rows last time
    const stats = chunk * STATS;
    this.skipTight = !force && ws.chunkStats[stats + STAT.tightFailed]! > 0.5 * ws.chunkStats[stats + STAT.tightened]!;
    this.tightened = 0;
    this.tightFailed = 0;
    const maxMove = move[k]!;
    const secondMove = move[k + 1]!;
    const argMax = move[k + 2]!;
    for (let i = lo; i < hi; i++) {
      const a = labels[i]!;
      if (force || a < 0) {
        this.pushFull(i);
        continue;
      }
      const u = upper[i]! + move[a]!;
      let l = Infinity;
      if (elkan) {
        const base = i * k;
        for (let j = 0; j < k; j++) {
          const v = lb[base + j]! - drift[j]!;
          if (v < l && j !== a) l = v;
        }
      } else {
        l = lower[i]! - (a === argMax ? secondMove : maxMove);
        lower[i] = l;
      }
      upper[i] = u;
      const h = half[a]!;
      const m = h > l ? h : l;
      if (u <= m) continue;
      if (this.skipTight) {
        this.pushFull(i, m);
        continue;
      }
      ws.tRows[this.tight] = i;
      ws.tCentres[this.tight] = a;
      ws.tBound[this.tight++] = m;
      if (this.tight === BLOCK_ROWS) this.flushTight();
    }
    if (this.tight > 0) this.flushTight();
    if (this.pairs > 0) this.flushPairs();
    if (this.full > 0) this.flushFull();
    ws.chunkStats[stats + STAT.changed] = this.changed;
    ws.chunkStats[stats + STAT.work] = this.work;
    if (!force) {
      ws.chunkStats[stats + STAT.tightened] = this.tightened;
      ws.chunkStats[stats + STAT.tightFailed] = this.tightFailed;
    }
  }

  /** Queues row i for all centres; `bound` >= 0 when stage 2 was skipped (to score that choice). */
  private pushFull(i: number, bound = -1): void {
    this.ws.fBound[this.full] = bound;
    this.ws.full[this.full++] = i;
    if (this.full === BLOCK_ROWS) this.flushFull();
  }

  /** Stage 2: exact distance to the own centre, then test again. */
  private flushTight(): void {
    const ws = this.ws;
    const { off, k, elkan } = ws.layout;
    const { tRows, tCentres, tOut, tBound, xSq, cSq, upper } = ws;
    const count = this.tight;
    this.tight = 0;
    ws.kernels.dotPairs(ws.ptr.tRows, ws.ptr.tCentres, count, off.x, this.rowBytes, off.centres, this.rowBytes, ws.ptr.tOut);
    this.work += count / k;
    this.tightened += count;
    for (let q = 0; q < count; q++) {
      const i = tRows[q]!;
      const d2 = xSq[i]! + cSq[tCentres[q]!]! - 2 * tOut[q]!;
      const u = Math.sqrt(d2 > 0 ? d2 : 0);
      upper[i] = u;
      if (u <= tBound[q]!) continue;
      if (elkan) this.elkan(i, tCentres[q]!, u);
      else {
        this.tightFailed++;
        this.pushFull(i);
      }
    }
  }

  /** Stage 3: queue the centres Elkan's bounds cannot rule out (or the whole row when many). */
  private elkan(i: number, a: number, u: number): void {
    const ws = this.ws;
    const { k, pairCap } = ws.layout;
    const { lb, cc, drift, eRows, eCentres } = ws;
    if (this.pairs + k > pairCap) this.flushPairs();
    const start = this.pairs;
    const base = i * k;
    const ccRow = a * k;
    let p = start;
    for (let j = 0; j < k; j++) {
      if (j !== a && u > lb[base + j]! - drift[j]! && u > cc[ccRow + j]!) {
        eRows[p] = i;
        eCentres[p++] = j;
      }
    }
    if ((p - start) * 3 > k) {
      this.tightFailed++;
      this.pushFull(i);
    } else this.pairs = p;
  }

  /** Distances for the queued (row, centre) pairs; pairs of one row are contiguous. */
  private flushPairs(): void {
    const ws = this.ws;
    const { off, k } = ws.layout;
    const { eRows, eCentres, eOut, xSq, cSq, labels, upper, lb, drift } = ws;
    const count = this.pairs;
    this.pairs = 0;
    ws.kernels.dotPairs(ws.ptr.eRows, ws.ptr.eCentres, count, off.x, this.rowBytes, off.centres, this.rowBytes, ws.ptr.eOut);
    this.work += count / k;
    let q = 0;
    while (q < count) {
      const i = eRows[q]!;
      const a = labels[i]!;
      const base = i * k;
      let best = a;
      let bu = upper[i]!;
      for (; q < count && eRows[q] === i; q++) {
        const j = eCentres[q]!;
        const d2 = xSq[i]! + cSq[j]! - 2 * eOut[q]!;
        const d = Math.sqrt(d2 > 0 ? d2 : 0);
        lb[base + j] = d + drift[j]!;
        if (d < bu) {
          best = j;
          bu = d;
        }
      }
      if (best === a) continue;
      lb[base + a] = upper[i]! + drift[a]!;
      upper[i] = bu;
      this.relabel(i, a, best);
    }
  }

  /** All centres for the queued rows (register-blocked kernel); exact bounds. */
  private flushFull(): void {
    const ws = this.ws;
    const { k, kPad, off, elkan } = ws.layout;
    const { full, fBound, xSq, cSq, labels, upper, lower, out, lb, drift } = ws;
    const count = this.full;
    this.full = 0;
    if (count & 1) full[count] = full[count - 1]!;
    ws.kernels.dots(ws.ptr.full, count + (count & 1), off.x, this.rowBytes, off.centres, kPad, this.rowBytes, ws.ptr.out);
    this.work += count;
    for (let q = 0; q < count; q++) {
      const i = full[q]!;
      const xs = xSq[i]!;
      const o = q * kPad;
      const old = labels[i]!;
      if (fBound[q]! >= 0) this.scoreSkippedTightening(i, old, xs + cSq[old]! - 2 * out[o + old]!, fBound[q]!);
      let best = 0;
      let d1 = Infinity;
      let d2 = Infinity;
      for (let j = 0; j < k; j++) {
        const d = xs + cSq[j]! - 2 * out[o + j]!;
        if (elkan) lb[i * k + j] = Math.sqrt(d > 0 ? d : 0) + drift[j]!;
        if (d < d1) {
          d2 = d1;
          d1 = d;
          best = j;
        } else if (d < d2) d2 = d;
      }
      upper[i] = Math.sqrt(d1 > 0 ? d1 : 0);
      if (!elkan) lower[i] = d2 === Infinity ? Infinity : Math.sqrt(d2 > 0 ? d2 : 0);
      if (old !== best) this.relabel(i, old, best);
    }
  }

  /**
   * For a row sent to all centres with stage 2 skipped: would stages 2 and 3 have avoided that?
   * Counts it as tightened, and as failed when it would still have needed (most) centres.
   */
  private scoreSkippedTightening(i: number, a: number, dOwn2: number, bound: number): void {
    const u = Math.sqrt(dOwn2 > 0 ? dOwn2 : 0);
    this.tightened++;
    if (u <= bound) return;
    if (!this.ws.layout.elkan || this.needed(i, a, u) * 3 > this.ws.layout.k) this.tightFailed++;
  }

  /** How many centres Elkan's bounds leave to compute for row i (own centre a, upper bound u). */
  private needed(i: number, a: number, u: number): number {
    const { k } = this.ws.layout;
    const { lb, cc, drift } = this.ws;
    let need = 0;
    for (let j = 0; j < k; j++) if (j !== a && u > lb[i * k + j]! - drift[j]! && u > cc[a * k + j]!) need++;
    return need;
  }

  /** Moves row i from centre `from` (-1: none) to `to` in the chunk's sums. */
  private relabel(i: number, from: number, to: number): void {
    const ws = this.ws;
    const { k, dp, off } = ws.layout;
    const { chunkSq, chunkCounts, xSq, kernels } = ws;
    const base = this.chunk * k;
    const sums = off.chunkSums + base * dp * 8;
    const row = off.x + i * this.rowBytes;
    const xs = xSq[i]!;
    ws.labels[i] = to;
    this.changed++;
    if (from >= 0) {
      kernels.moveRow(row, this.rowBytes, sums + from * dp * 8, sums + to * dp * 8);
      chunkSq[base + from] = chunkSq[base + from]! - xs;
      chunkCounts[base + from] = chunkCounts[base + from]! - 1;
    } else kernels.addRow(row, this.rowBytes, sums + to * dp * 8);
    chunkSq[base + to] = chunkSq[base + to]! + xs;
    chunkCounts[base + to] = chunkCounts[base + to]! + 1;
  }
}

const assigners = new WeakMap<Workspace, ChunkAssigner>();

/** Assigns the rows of `chunk` (all rows recomputed when `force`); writes the chunk's stats. */
export function assignChunk(ws: Workspace, chunk: number, force: boolean): void {
  let assigner = assigners.get(ws);
  if (!assigner) assigners.set(ws, (assigner = new ChunkAssigner(ws)));
  assigner.run(chunk, force);
}
