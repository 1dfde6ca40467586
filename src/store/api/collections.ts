/** Collections: a named set of documents bound to one encoder module, metric and HNSW settings. */

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

/**
 * A module migration in progress (api/module-migration.ts): the job that runs it and the module it
 * re-embeds the collection with. While `dualWrite` is off, writes embed with the bound module only
 * and the job catches up; in its last phase `dualWrite` is on and every write must carry the
 * target's vectors too, so nothing written meanwhile can be missed at the swap.
 */
export interface MigrationState {
  /** The migration job's id (jobs.id). */
  job: string;
  target: ModuleBinding;
  dualWrite: boolean;
}

export interface CollectionRow extends NewCollection {
  /** Internal numeric key; never shown to clients. */
  key: number;
  createdAt: Date;
  /** The module bound before the last swap, whose vectors stay until dropPreviousVectors; null when none. */
  previousModule: ModuleBinding | null;
  /** The running module migration; null when none. */
  migration: MigrationState | null;
  /** Bumped by every change of the module binding (a migration started, its last phase, a swap, an end, a drop). */
  bindingVersion: number;
}

/** One page of a keyset-paginated list (every list of the store pages this way). */
export interface PageRequest {
  first: number;
  /** Exclusive lower bound on the internal key (keyset pagination). */
  afterKey?: number;
}

/** The collections of a store. */
export interface CollectionStore {
  /** Throws AppError CONFLICT when the name is taken. */
  createCollection(c: NewCollection): Promise<CollectionRow>;
  getCollection(name: string): Promise<CollectionRow | null>;
  /** Ordered by key; `afterKey` is exclusive. */
  listCollections(page: PageRequest): Promise<CollectionRow[]>;
  countCollections(): Promise<number>;
  /** The key of every collection, ascending (what a process checks its cached collections against). */
  collectionKeys(): Promise<number[]>;
  /** The key and binding version of every collection, ascending by key (the metadata follower's poll). */
  collectionVersions(): Promise<{ key: number; bindingVersion: number }[]>;
  /**
   * Deletes the collection with its documents, vectors and jobs; false when absent. Keys are never
   * reused: a collection created again under the same name gets a new key. On PostgreSQL creating
   * and deleting send a `collection` change notice in their transaction.
   */
  deleteCollection(name: string): Promise<boolean>;
}

/** The methods of CollectionStore (the binder's list; the compiler keeps it complete). */
export const COLLECTION_METHODS: Record<keyof CollectionStore, true> = {
  createCollection: true, getCollection: true, listCollections: true, countCollections: true, collectionKeys: true, collectionVersions: true,
  deleteCollection: true,
};
