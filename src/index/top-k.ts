/**
 * A bounded max-heap keeping the k smallest (distance, key) pairs seen, in preallocated typed
 * arrays: push() allocates nothing. Ties on distance go to the smaller key, so results are
 * deterministic. `exactTopK` is the exact k nearest of a few rows on it, used wherever semhub
 * ranks vectors without the graph (tiny filtered sets, fusion scores).
 */
import { ipDistance, l2Distance } from './distance.js';
import type { IndexHit, IndexMetric } from './types.js';

/**
 * The k rows closest to `query` (null rows skipped), closest first, ties to the smaller key;
 * distances as the index has them (1 - dot for cosine and ip, squared L2 for l2), so cosine
 * queries and rows must be normalized already.
 */
export function exactTopK(metric: IndexMetric, query: Float32Array, keys: ArrayLike<number>, rows: readonly (Float32Array | null)[], k: number): IndexHit[] {
  const distance = metric === 'l2' ? l2Distance : ipDistance;
  const heap = new TopK(Math.max(0, Math.min(k, rows.length)));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row) heap.push(distance(query, row, 0, query.length), keys[i]!);
  }
  return heap.drain();
}

/** The k best (smallest distance) of a stream of candidates. */
export class TopK {
  private readonly dist: Float64Array;
  private readonly key: Int32Array;
  private n = 0;

  constructor(readonly k: number) {
    this.dist = new Float64Array(k);
    this.key = new Int32Array(k);
  }

  /** Offers one candidate. */
  push(distance: number, key: number): void {
    if (this.n < this.k) {
      this.siftUp(this.n++, distance, key);
    } else if (this.k > 0 && worse(this.dist[0]!, this.key[0]!, distance, key)) {
      this.siftDown(distance, key);
    }
  }

  /** The kept candidates, closest first (empties the heap). */
  drain(): IndexHit[] {
    const out: IndexHit[] = new Array(this.n);
    while (this.n > 0) {
      out[this.n - 1] = { key: this.key[0]!, distance: this.dist[0]! };
      const last = --this.n;
      if (last > 0) this.siftDown(this.dist[last]!, this.key[last]!);
    }
    return out;
  }

  private siftUp(at: number, d: number, k: number): void {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!worse(d, k, this.dist[parent]!, this.key[parent]!)) break;
      this.dist[at] = this.dist[parent]!;
      this.key[at] = this.key[parent]!;
      at = parent;
    }
    this.dist[at] = d;
    this.key[at] = k;
  }

  /** Replaces the root (the worst kept) with (d, k) and restores the heap over the first n. */
  private siftDown(d: number, k: number): void {
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= this.n) break;
      const right = left + 1;
      const child = right < this.n && worse(this.dist[right]!, this.key[right]!, this.dist[left]!, this.key[left]!) ? right : left;
      if (!worse(this.dist[child]!, this.key[child]!, d, k)) break;
      this.dist[at] = this.dist[child]!;
      this.key[at] = this.key[child]!;
      at = child;
    }
    this.dist[at] = d;
    this.key[at] = k;
  }
}

/** Whether (da, ka) ranks after (db, kb). */
function worse(da: number, ka: number, db: number, kb: number): boolean {
  return da > db || (da === db && ka > kb);
}
