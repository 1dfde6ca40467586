/**
 * One hnswlib HierarchicalNSW graph with the bookkeeping hnswlib does not expose: its live key
 * set, tombstone count, slot reuse and growth. Synchronous and blocking: worker-side only.
 * Reference: hnswlib's hnswalg.h (markDelete, allow_replace_deleted, resizeIndex).
 */
import { newHnsw, type Hnsw } from './native-hnsw.js';
import type { NativeParams } from './protocol.js';

/** hnswlib's level generator seed: fixed so that builds are reproducible. */
const RANDOM_SEED = 100;

/** Slots a full graph grows to at least (it doubles above that). */
const MIN_GROWTH = 64;

/** A graph plus the set of keys live in it. */
export class Graph {
  readonly live = new Set<number>();

  constructor(readonly hnsw: Hnsw) {}

  /** A new, empty graph of `capacity` slots that can reuse tombstoned slots. */
  static create(p: NativeParams, capacity: number, ef: number): Graph {
    const h = newHnsw(p.metric, p.dims);
    h.initIndex(Math.max(1, capacity), p.m, p.efConstruction, RANDOM_SEED, true);
    h.setEf(ef);
    return new Graph(h);
  }

  /** Tombstones: used slots whose key was removed. */
  deleted(): number {
    return this.hnsw.getCurrentCount() - this.live.size;
  }

  /**
   * Adds or replaces `key` with the vector `data[offset .. offset + dims)`; a new key takes a
   * tombstoned slot when there is one, else a new slot (doubling when full).
   */
  put(data: Float32Array, offset: number, key: number): void {
    const h = this.hnsw;
    if (this.live.has(key)) {
      h.addPoint(data, offset, key, false);
      return;
    }
    if (this.deleted() > 0) {
      // a key that still owns a tombstoned slot must get that slot back, never a second one
      if (this.revive(key)) h.addPoint(data, offset, key, false);
      else h.addPoint(data, offset, key, true);
    } else {
      const capacity = h.getMaxElements();
      // an index saved empty loads with no slots at all (hnswlib sizes a read index by its count)
      if (h.getCurrentCount() >= capacity) h.resizeIndex(Math.max(MIN_GROWTH, capacity * 2));
      h.addPoint(data, offset, key, false);
    }
    this.live.add(key);
  }

  /** Tombstones `key` if it is live. */
  remove(key: number): void {
    if (!this.live.has(key)) return;
    this.hnsw.markDelete(key);
    this.live.delete(key);
  }

  /** Clears the tombstone of `key` if it still owns a slot (hnswlib throws "Label not found" if not). */
  private revive(key: number): boolean {
    try {
      this.hnsw.unmarkDelete(key);
      return true;
    } catch (e) {
      if (/Label not found/.test((e as Error).message)) return false;
      throw e;
    }
  }
}
