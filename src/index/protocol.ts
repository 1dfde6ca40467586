/**
 * Requests from the main thread (worker-host.ts) to the index worker (hnsw-worker.ts), carried by
 * the thread host (src/threads/); vectors travel as one packed Float32Array whose buffer is
 * transferred, never as per-element arrays.
 */
import type { IndexMetric } from './types.js';

/** What the worker needs to build an hnswlib index. */
export interface NativeParams {
  dims: number;
  metric: IndexMetric;
  m: number;
  efConstruction: number;
  ef: number;
  /** Initial capacity in vectors; the index doubles when full. */
  capacity: number;
  /** Compact when tombstones exceed this fraction of the used slots. */
  rebuildRatio: number;
}

/** Counts the main thread mirrors after every mutation. */
export interface IndexStats {
  size: number;
  deleted: number;
  capacity: number;
  /** How many compactions this index went through (for tests and metrics). */
  rebuilds: number;
}

/** What a saved index file must match to be loaded. */
export interface FileExpectation {
  bytes: number;
  sha256: string;
  /** hnswlib's element count (live + tombstones). */
  count: number;
  deletedKeys: number[];
}

/** The outcome of writing an index file. */
export interface SavedFile extends FileExpectation {
  size: number;
}

/** One caller's share of a search batch: `n` consecutive queries of the packed data. */
export interface SearchGroup {
  n: number;
  k: number;
  ef: number;
  allow: Int32Array | null;
}

/** Search results, packed: query i has counts[i] hits, laid out one query after another. */
export interface PackedHits {
  counts: Int32Array;
  keys: Int32Array;
  distances: Float32Array;
}

export type Request =
  | { op: 'create'; index: number; params: NativeParams }
  | { op: 'load'; index: number; params: NativeParams; path: string; expect: FileExpectation }
  | { op: 'upsert'; index: number; keys: Int32Array; data: Float32Array }
  | { op: 'remove'; index: number; keys: Int32Array }
  | { op: 'search'; index: number; data: Float32Array; groups: SearchGroup[] }
  | { op: 'save'; index: number; path: string }
  | { op: 'drop'; index: number }
  | { op: 'crash' };

/** Loading either succeeds or reports why the file was not usable (the index then starts empty). */
export type LoadResult = { loaded: true; stats: IndexStats } | { loaded: false; reason: string; stats: IndexStats };

/** Sent unasked when an index's counts change outside a request (a compaction finished). */
export interface StatsEvent {
  index: number;
  stats: IndexStats;
}
