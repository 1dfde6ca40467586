/**
 * Exact kNN over one contiguous Float32Array (row i = slot i): for tests, for small or highly
 * filtered sets, and as recall ground truth. Rows are scanned in cache-sized blocks against all
 * queries of a batch, each query keeping a bounded heap (top-k.ts); the scan allocates nothing
 * per element. Distances match hnswlib's (see IndexHit).
 */
import { invariant } from '../errors.js';
import { normalize } from '../vectors.js';
import { ipDistance, l2Distance } from './distance.js';
import { TopK } from './top-k.js';
import type { IndexHit, IndexMetric, IndexParams, SearchOptions, VectorIndex } from './types.js';
import { checkKeys, checkQueries, checkStoredVectors } from './validate.js';

/** Rows per block: 128 x 512 floats = 256 KiB, about an L2 cache. */
const BLOCK_ROWS = 128;

/** Scans `count` rows (slots rows[i], or i when rows is null) block by block into one heap per query. */
function scan(
  data: Float32Array, dims: number, keyOf: Int32Array, rows: Int32Array | null, count: number,
  queries: Float32Array[], heaps: TopK[], metric: IndexMetric,
): void {
  const distance = metric === 'l2' ? l2Distance : ipDistance;
  for (let from = 0; from < count; from += BLOCK_ROWS) {
    const to = Math.min(count, from + BLOCK_ROWS);
    for (let qi = 0; qi < queries.length; qi++) {
      const q = queries[qi]!;
      const heap = heaps[qi]!;
      for (let r = from; r < to; r++) {
        const slot = rows ? rows[r]! : r;
        heap.push(distance(q, data, slot * dims, dims), keyOf[slot]!);
      }
    }
  }
}

/**
 * Exact k nearest rows of `data` (n x dims, row-major) for each query, by inner-product distance
 * 1 - dot (the cosine distance when rows and queries are normalized). For bench ground truth.
 */
export function exactKnn(data: Float32Array, keys: Int32Array, queries: Float32Array[], k: number, dims: number): IndexHit[][] {
  invariant(data.length === keys.length * dims, `data holds ${data.length / dims} rows but keys has ${keys.length}`);
  const heaps = queries.map(() => new TopK(Math.min(k, keys.length)));
  scan(data, dims, keys, null, keys.length, queries, heaps, 'ip');
  return heaps.map((h) => h.drain());
}

/** The exact VectorIndex. Removal moves the last row into the freed slot: no tombstones. */
export class BruteForceIndex implements VectorIndex {
  private data: Float32Array;
  private keyOf: Int32Array;
  private readonly slots = new Map<number, number>();
  private n = 0;
  private seqValue = 0;
  private closed = false;

  /** An empty index with room for `capacity` vectors (default 1024; doubles when full). */
  constructor(readonly params: IndexParams, capacity = 1024) {
    this.data = new Float32Array(Math.max(1, capacity) * params.dims);
    this.keyOf = new Int32Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }
  get deletedCount(): number {
    return 0;
  }
  get seq(): number {
    return this.seqValue;
  }

  async upsert(items: { key: number; vector: Float32Array }[], seq?: number): Promise<void> {
    this.checkOpen();
    checkKeys(items.map((it) => it.key));
    checkStoredVectors(items.map((it) => it.vector), this.params.dims);
    for (const { key, vector } of items) {
      let slot = this.slots.get(key);
      if (slot === undefined) {
        if (this.n === this.keyOf.length) this.grow();
        slot = this.n++;
        this.slots.set(key, slot);
        this.keyOf[slot] = key;
      }
      this.data.set(this.params.metric === 'cosine' ? normalize(vector) : vector, slot * this.params.dims);
    }
    this.advance(seq);
  }

  async remove(keys: number[], seq?: number): Promise<void> {
    this.checkOpen();
    const { dims } = this.params;
    for (const key of keys) {
      const slot = this.slots.get(key);
      if (slot === undefined) continue;
      const last = --this.n;
      // move the last row into the hole
      if (slot !== last) {
        this.data.copyWithin(slot * dims, last * dims, (last + 1) * dims);
        this.keyOf[slot] = this.keyOf[last]!;
        this.slots.set(this.keyOf[slot]!, slot);
      }
      this.slots.delete(key);
    }
    this.advance(seq);
  }

  async search(queries: Float32Array[], k: number, opts: SearchOptions = {}): Promise<IndexHit[][]> {
    this.checkOpen();
    checkQueries(queries, k, this.params.dims);
    const qs = this.params.metric === 'cosine' ? queries.map((q) => normalize(q)) : queries;
    const rows = opts.allow ? this.allowedSlots(opts.allow) : null;
    const count = rows ? rows.length : this.n;
    const heaps = qs.map(() => new TopK(Math.min(k, count)));
    scan(this.data, this.params.dims, this.keyOf, rows, count, qs, heaps, this.params.metric);
    return heaps.map((h) => h.drain());
  }

  /** In-memory only: nothing to save. */
  async save(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Slots of the distinct live keys of `allow`, ascending (sequential memory access). */
  private allowedSlots(allow: Int32Array): Int32Array {
    const seen = new Set<number>();
    for (const key of allow) {
      const slot = this.slots.get(key);
      if (slot !== undefined) seen.add(slot);
    }
    return Int32Array.from(seen).sort();
  }

  private grow(): void {
    const data = new Float32Array(this.data.length * 2);
    data.set(this.data);
    this.data = data;
    const keyOf = new Int32Array(this.keyOf.length * 2);
    keyOf.set(this.keyOf);
    this.keyOf = keyOf;
  }

  private advance(seq: number | undefined): void {
    if (seq === undefined) return;
    invariant(Number.isSafeInteger(seq) && seq >= 0, `seq must be a non-negative integer (got ${seq})`);
    if (seq > this.seqValue) this.seqValue = seq;
  }

  private checkOpen(): void {
    invariant(!this.closed, 'brute-force index is closed');
  }
}
