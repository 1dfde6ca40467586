/**
 * The vector index of one collection: a rebuildable cache of the store's vectors, keyed by the
 * store's numeric document key. Two implementations: HNSW in a worker thread (hnsw.ts) and exact
 * brute force (brute-force.ts, for tests, small or highly filtered sets and recall ground truth).
 */

/** Distance space. All three match hnswlib's definitions, so both implementations agree. */
export type IndexMetric = 'cosine' | 'ip' | 'l2';

/**
 * Build and search parameters. `dims`, `metric`, `m`, `efConstruction` and `moduleSha256` are
 * build parameters: a saved index whose values differ is discarded and rebuilt from the store.
 * `ef` is a search-time setting (hnswlib uses max(ef, k)) and may change freely.
 */
export interface IndexParams {
  dims: number;
  metric: IndexMetric;
  m: number;
  efConstruction: number;
  ef: number;
  moduleSha256: string;
}

/**
 * One search result. `distance` is hnswlib's, smaller is closer:
 * - cosine: 1 - cos(q, x) (vectors are normalized on the way in; 0 = same direction, 2 = opposite)
 * - ip: 1 - dot(q, x) (equals the cosine distance when both vectors are L2-normalized)
 * - l2: the squared Euclidean distance sum((q_i - x_i)^2)
 */
export interface IndexHit {
  key: number;
  distance: number;
}

/** Options of one batch search. */
export interface SearchOptions {
  /** Search breadth (HNSW only; default: params.ef). hnswlib searches with max(ef, k). */
  ef?: number;
  /** Only these keys may be returned; the filter runs inside the graph search, not after it. */
  allow?: Int32Array | null;
}

/** A k-nearest-neighbour index over the vectors of one collection. Keys are integers in [0, 2^31). */
export interface VectorIndex {
  readonly params: IndexParams;
  /** Live vectors. */
  readonly size: number;
  /** Tombstones: deleted vectors still occupying a slot (always 0 for brute force). */
  readonly deletedCount: number;
  /** The store change sequence this index reflects (0 for a new or discarded index). */
  readonly seq: number;
  /** Adds or replaces vectors by key (key = the store's numeric document key) and records seq. */
  upsert(items: { key: number; vector: Float32Array }[], seq?: number): Promise<void>;
  /** Removes keys (absent keys are ignored) and records seq. */
  remove(keys: number[], seq?: number): Promise<void>;
  /** Batch kNN. k is capped at the live count. `allow` restricts results to those keys (filter inside the search). */
  search(queries: Float32Array[], k: number, opts?: SearchOptions): Promise<IndexHit[][]>;
  /** Persists the index (a no-op for in-memory implementations). */
  save(): Promise<void>;
  /** Releases the index; later calls reject. Does not save. */
  close(): Promise<void>;
}
