/**
 * The store is semhub's source of truth: collections, documents with their vectors, jobs.
 * Two implementations (SQLite via better-sqlite3, PostgreSQL via pg) sit behind this one
 * interface and pass one shared test suite (test/store/repository.suite.ts).
 */
import type { Filter } from './filter-ast.js';

export type Metric = 'cosine' | 'ip' | 'l2';

export interface HnswParams {
  m: number;
  efConstruction: number;
  ef: number;
}

export interface ModuleBinding {
  name: string;
  version: string;
  sha256: string;
  dims: number;
}

export interface NewCollection {
  name: string;
  module: ModuleBinding;
  metric: Metric;
  hnsw: HnswParams;
}

export interface CollectionRow extends NewCollection {
  /** Internal numeric key; never shown to clients. */
  key: number;
  createdAt: Date;
}

export interface DocumentRow {
  /** Internal numeric key, stable for the life of the document (the vector index label). */
  key: number;
  id: string;
  text: string;
  metadata: Record<string, unknown> | null;
  contentHash: string;
  /** Change sequence of the last write (upsert or delete); monotonic across the store. */
  seq: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface DocumentWrite {
  id: string;
  text: string;
  metadata: Record<string, unknown> | null;
  contentHash: string;
  /** Float32 vector of the collection's dims; stored in the same transaction as the document. */
  vector: Float32Array;
}

export interface UpsertOutcome {
  /** Per written document, in input order: its key and whether text or metadata changed. */
  written: { id: string; key: number; seq: number; created: boolean; changed: boolean }[];
}

/** One change of a collection's log: a live document with its vector, or a deletion (what index/catch-up.ts reads). */
export interface Change {
  key: number;
  seq: number;
  deleted: boolean;
  vector: Float32Array | null;
}

export interface PageRequest {
  first: number;
  /** Exclusive lower bound on the internal key (keyset pagination). */
  afterKey?: number;
}

export type JobStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface JobRow {
  id: string;
  kind: string;
  collectionKey: number | null;
  status: JobStatus;
  progress: number;
  params: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What `clusterCollection` was asked for; stored with the clustering and as its job's params. */
export interface ClusteringParams {
  /** k as the caller gave it; null when the server chooses k. */
  kRequested: number | null;
  seed: number;
  restarts: number;
  /** The metadata filter as the caller sent it (a JSON value), or null for the whole collection. */
  filter: unknown;
  /** Metadata key whose values are the gold labels of the external metrics, or null. */
  evaluateAgainst: string | null;
}

/** How good a finished clustering is; the external metrics only with `evaluateAgainst`. */
export interface ClusteringQuality {
  /** Mean silhouette (cosine distance; euclidean for l2 collections) on a seeded sample; null when undefined (k = n). */
  silhouette: number | null;
  /** Documents the silhouette was computed on. */
  silhouetteSampleSize: number;
  /** k-means inertia: summed squared Euclidean distance of the documents to their centroids. */
  inertia: number;
  /** The metadata key the gold labels came from, or null. */
  evaluatedAgainst: string | null;
  /** Documents that had a label under `evaluatedAgainst` and were scored. */
  evaluatedCount: number;
  /** Documents without that key (null or missing), excluded from the external metrics. */
  missingLabelCount: number;
  /** External metrics against the gold labels (scikit-learn definitions); null without labels. */
  nmi: number | null;
  ari: number | null;
  vMeasure: number | null;
  homogeneity: number | null;
  completeness: number | null;
}

/** A clustering of (the filtered part of) a collection: its parameters, state and result summary. */
export interface ClusteringRow extends ClusteringParams {
  /** Internal numeric key (pagination order); never shown to clients. */
  key: number;
  /** Public id, shared with the job that computes it. */
  id: string;
  collectionKey: number;
  collectionName: string;
  status: JobStatus;
  progress: number;
  /** Why it FAILED (a message safe for clients), else null. */
  error: string | null;
  /** Number of clusters: the requested k, or the chosen one once chosen (null until then). */
  k: number | null;
  /** How k was set: "requested", or chooseK's one-line reason. Null until known. */
  kChosenBy: string | null;
  /** Documents clustered (null until SUCCEEDED). */
  documentCount: number | null;
  quality: ClusteringQuality | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A keyword of a cluster with its c-TF-IDF weight. */
export interface ClusterKeyword {
  term: string;
  score: number;
}

/**
 * A document near a cluster's centroid: cosine similarity to it, and the distance in the
 * collection's metric (1 - cosine; squared Euclidean for l2).
 */
export interface ClusterRepresentative {
  documentKey: number;
  score: number;
  distance: number;
}

/** One cluster of a finished clustering. */
export interface ClusterRow {
  clusteringKey: number;
  /** 0..k-1. */
  index: number;
  /** Documents assigned when the clustering ran (later deletions do not change it). */
  size: number;
  label: string;
  keywords: ClusterKeyword[];
  /** The documents nearest the centroid, best first. */
  representatives: ClusterRepresentative[];
}

/** What a finished clustering job stores in one transaction. */
export interface ClusteringOutcome {
  k: number;
  kChosenBy: string;
  quality: ClusteringQuality;
  clusters: Omit<ClusterRow, 'clusteringKey'>[];
  /** Clustered document keys and, at the same positions, their cluster (0..k-1). */
  documentKeys: ArrayLike<number>;
  assignments: ArrayLike<number>;
}

/** A clustering's state change; mirrored onto its job. */
export type ClusteringPatch = Partial<Pick<ClusteringRow, 'status' | 'progress' | 'error' | 'k' | 'kChosenBy'>>;

/** The kinds of classifier head (see src/ml/heads). */
export type HeadKind = 'LOGISTIC' | 'DNN' | 'KNN';

/** Precision, recall, F1 and gold support of one label on the validation rows. */
export interface ClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The validation scores of the documents sharing one value of the `sliceBy` metadata key. */
export interface SliceScore {
  /** The slice's value as a string; null for documents without the key. */
  slice: string | null;
  n: number;
  accuracy: number;
  macroF1: number;
}

/** How a trained head did on its validation split (stored as JSON with the head). */
export interface ClassifierMetrics {
  /** Validation rows scored. */
  n: number;
  accuracy: number;
  /** Mean F1 over the labels that occur in the gold labels or the predictions. */
  macroF1: number;
  /** One entry per label, in the head's label order. */
  perClass: ClassScore[];
  /** confusion[gold][predicted], both in the head's label order. */
  confusion: number[][];
  /** The metadata key the slices come from, or null. */
  sliceBy: string | null;
  perSlice: SliceScore[];
  /** The slices with the best and the worst accuracy; null with fewer than two slices. */
  sliceGap: { best: string | null; worst: string | null; gap: number } | null;
  /** Set when the slice gap exceeds 0.05 (or another caution applies), else null. */
  warning: string | null;
}

/** A trained classifier head as `createClassifier` takes it. */
export interface NewClassifier {
  collectionKey: number;
  name: string;
  head: HeadKind;
  /** The metadata key the labels were read from. */
  labelKey: string;
  /** The class labels, in the order of the head's outputs (sorted). */
  labels: string[];
  /** What it was trained with (head-specific: hiddenUnits, l2, k, seed, filter ...). */
  hyperparameters: Record<string, unknown>;
  /** Validation scores; null when trained without a validation split. */
  metrics: ClassifierMetrics | null;
  /** How training went: iterations or epochs, stop reason, losses, seconds. */
  training: Record<string, unknown>;
  /** The module whose vectors it was trained on (the collection's at training time). */
  module: ModuleBinding;
  /** Network layer sizes [inputs, hidden..., classes]; empty for KNN (no weights). */
  layers: number[];
  /** The network's parameters (see src/ml/heads/net.ts); empty for KNN. */
  weights: Float32Array;
  /** Documents trained on, validated on, and skipped for lacking a usable label. */
  trainedOn: number;
  validatedOn: number;
  skipped: number;
}

/** A stored classifier version, without its weights (see getClassifierWeights). */
export interface ClassifierRow extends Omit<NewClassifier, 'weights'> {
  /** Internal numeric key; never shown to clients. */
  key: number;
  /** 1 for the first head of a name in a collection, then +1 per retraining. */
  version: number;
  createdAt: Date;
}

/** A metadata update of one live document: `set` keys replace top-level keys of its metadata. */
export interface MetadataPatch {
  key: number;
  set: Record<string, unknown>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';

  /** Throws AppError CONFLICT when the name is taken. */
  createCollection(c: NewCollection): Promise<CollectionRow>;
  getCollection(name: string): Promise<CollectionRow | null>;
  /** Ordered by key; `afterKey` is exclusive. */
  listCollections(page: PageRequest): Promise<CollectionRow[]>;
  countCollections(): Promise<number>;
  /** Deletes the collection with its documents, vectors and jobs; false when absent. */
  deleteCollection(name: string): Promise<boolean>;

  /**
   * Inserts or replaces documents by (collection, id) in ONE transaction, vectors included.
   * A soft-deleted id is revived. Every write gets a new seq. Duplicate ids within one call:
   * the last one wins (callers dedupe first).
   */
  upsertDocuments(collectionKey: number, docs: DocumentWrite[]): Promise<UpsertOutcome>;
  /** Soft-deletes live documents by id (new seq each); returns how many were live. */
  deleteDocuments(collectionKey: number, ids: string[]): Promise<number>;
  /** In key order of `ids`; null where missing or deleted. */
  getDocumentsByIds(collectionKey: number, ids: string[]): Promise<(DocumentRow | null)[]>;
  getDocumentsByKeys(collectionKey: number, keys: number[]): Promise<(DocumentRow | null)[]>;
  /** Live documents matching `filter`, ordered by key. */
  listDocuments(collectionKey: number, filter: Filter | null, page: PageRequest): Promise<DocumentRow[]>;
  countDocuments(collectionKey: number, filter?: Filter | null): Promise<number>;
  /** Counts soft-deleted documents. */
  countDeleted(collectionKey: number): Promise<number>;
  /** Existing vectors by content hash (any live or deleted document of the collection): the embedding cache. */
  vectorsByContentHash(collectionKey: number, hashes: string[]): Promise<Map<string, Float32Array>>;
  /** Live vectors of the documents matching `filter` (all when null), ordered by key. */
  vectors(collectionKey: number, filter: Filter | null, page: PageRequest): Promise<{ key: number; vector: Float32Array }[]>;
  /** Changes with seq > `afterSeq`, ascending by seq, at most `limit`. */
  changesSince(collectionKey: number, afterSeq: number, limit: number): Promise<Change[]>;
  /** Highest seq of any write in the collection (0 when none). */
  maxSeq(collectionKey: number): Promise<number>;

  /**
   * Stored vectors by document key, in the order of `keys`, null where the key is missing,
   * soft-deleted or of another collection. Any number of keys (read in chunks under the
   * bound-parameter limits). Each vector is a fresh aligned copy the caller owns; a key asked
   * for twice gets the same array twice.
   */
  getVectorsByKeys(collectionKey: number, keys: number[]): Promise<(Float32Array | null)[]>;
  /**
   * Keys of the live documents matching `filter` (all live documents when null), ascending: the
   * allow-list of a filtered vector search. Only the key column is read and the filter runs in
   * SQL, so tens of thousands of keys cost milliseconds.
   */
  documentKeys(collectionKey: number, filter: Filter | null): Promise<Int32Array>;
  /**
   * BM25-style full-text search over the text of the live documents matching `filter`: at most
   * `limit` hits, best first (ties by key), `score` > 0 and higher is better. `query` is plain
   * user text, never query syntax: its words (letters, digits; at most 64 distinct) are ORed, so a
   * document matching more or rarer words ranks higher. Words are stemmed (English) and case and
   * diacritics folded; stop words are ignored on PostgreSQL. A query without words returns [].
   * Scores are comparable within one result list only, not across dialects or queries.
   */
  keywordSearch(collectionKey: number, query: string, limit: number, filter: Filter | null): Promise<{ key: number; score: number }[]>;

  createJob(job: { id: string; kind: string; collectionKey: number | null; params: Record<string, unknown> }): Promise<JobRow>;
  updateJob(id: string, patch: Partial<Pick<JobRow, 'status' | 'progress' | 'result' | 'error'>>): Promise<void>;
  getJob(id: string): Promise<JobRow | null>;

  /**
   * Creates a PENDING clustering of the collection and, in the same transaction, its job (same
   * id, kind "cluster", the params as job params). NOT_FOUND when the collection is gone.
   */
  createClustering(c: { id: string; collectionKey: number; params: ClusteringParams }): Promise<ClusteringRow>;
  /**
   * Applies `patch` to a clustering and mirrors status, progress and error onto its job, bumping
   * both updatedAt (an empty patch is a heartbeat). A clustering that no longer exists is ignored.
   */
  updateClustering(id: string, patch: ClusteringPatch): Promise<void>;
  /**
   * Stores a finished clustering in ONE transaction: its clusters, every assignment, k, quality,
   * status SUCCEEDED and progress 1, and the job SUCCEEDED with a summary result. Returns false
   * (writing nothing) when the clustering is gone or no longer PENDING/RUNNING.
   */
  finishClustering(id: string, outcome: ClusteringOutcome): Promise<boolean>;
  /** The clustering with this id, or null. */
  getClustering(id: string): Promise<ClusteringRow | null>;
  /** Clusterings of a collection, oldest first (by key); `afterKey` is exclusive. */
  listClusterings(collectionKey: number, page: PageRequest): Promise<ClusteringRow[]>;
  countClusterings(collectionKey: number): Promise<number>;
  /** Deletes a clustering with its clusters, assignments and job; false when absent. */
  deleteClustering(id: string): Promise<boolean>;
  /**
   * Marks PENDING/RUNNING clusterings last updated before `staleBefore` FAILED with `error`, and
   * their jobs too (the process running them died). Returns their ids.
   */
  failStaleClusterings(staleBefore: Date, error: string): Promise<string[]>;
  /** The clusters of each clustering key, in key order; each list ordered by index (empty until SUCCEEDED). */
  getClusters(clusteringKeys: number[]): Promise<ClusterRow[][]>;
  /**
   * Live documents assigned to cluster `cluster` of a clustering, ordered by document key
   * (`afterKey` exclusive): assignments joined to the documents, so deleted ones drop out.
   */
  listClusterDocuments(clusteringKey: number, cluster: number, page: PageRequest): Promise<DocumentRow[]>;
  /** How many live documents `listClusterDocuments` pages through. */
  countClusterDocuments(clusteringKey: number, cluster: number): Promise<number>;

  /**
   * Live vectors of the documents matching `filter` (all when null) with their metadata, ordered
   * by key (`afterKey` exclusive): one read of what training a head needs, without the text.
   */
  vectorsWithMetadata(collectionKey: number, filter: Filter | null, page: PageRequest): Promise<{ key: number; metadata: Record<string, unknown> | null; vector: Float32Array }[]>;
  /**
   * Marks PENDING/RUNNING jobs of `kind` last updated before `staleBefore` FAILED with `error`
   * (the process running them died without a heartbeat). Returns their ids.
   */
  failStaleJobs(kind: string, staleBefore: Date, error: string): Promise<string[]>;
  /**
   * Stores a trained head as the next version of its name in the collection (1 when the name is
   * new, else the highest stored version + 1; older versions are kept), weights as float32
   * little-endian bytes. NOT_FOUND when the collection is gone.
   */
  createClassifier(c: NewClassifier): Promise<ClassifierRow>;
  /** The given version of a named head, or its latest version when `version` is omitted; null when absent. */
  getClassifier(collectionKey: number, name: string, version?: number | null): Promise<ClassifierRow | null>;
  /** The latest version of every named head of a collection, ordered by name. */
  listClassifiers(collectionKey: number): Promise<ClassifierRow[]>;
  /** The stored versions of a named head, ascending (empty when there is none). */
  classifierVersions(collectionKey: number, name: string): Promise<number[]>;
  /** The parameters of a stored head (a fresh array the caller owns); null when it is gone. */
  getClassifierWeights(classifierKey: number): Promise<Float32Array | null>;
  /** Deletes one version of a named head, or every version when `version` is omitted; returns how many went. */
  deleteClassifier(collectionKey: number, name: string, version?: number | null): Promise<number>;
  /**
   * Merges `set` into the top-level metadata of live documents by key, in ONE transaction; each
   * changed document gets a new seq (so the index catch-up sees it) and a new updatedAt; text,
   * content hash and vector are unchanged. Keys that are missing, deleted or of another
   * collection are skipped. Returns how many documents were patched.
   */
  patchDocumentMetadata(collectionKey: number, patches: MetadataPatch[]): Promise<number>;

  close(): Promise<void>;
}
