/**
 * The store is semhub's source of truth: collections, documents with their vectors, jobs,
 * clusterings, classifiers and the records of loaded modules. Its surface is one interface per
 * capability (api/), composed into `Store`. Each dialect (sqlite/ on better-sqlite3, pg/ on pg) implements a capability as plain
 * functions taking its connection first, and bind.ts turns them into a Store; both dialects pass
 * one shared test suite (test/store/repository.suite.ts).
 */
import type { ChangeFeed } from './api/changes.js';
import type { ClassifierStore } from './api/classifiers.js';
import type { ClusterReviewStore } from './api/cluster-review.js';
import type { ClusteringStore } from './api/clusterings.js';
import type { CollectionStore } from './api/collections.js';
import type { DocumentStore } from './api/documents.js';
import type { JobStore } from './api/jobs.js';
import type { ModuleMigrationStore } from './api/module-migration.js';
import type { ModuleStore } from './api/modules.js';
import type { SearchStore } from './api/search.js';

export type * from './api/changes.js';
export type * from './api/classifiers.js';
export type * from './api/cluster-review.js';
export type * from './api/clusterings.js';
export type * from './api/collections.js';
export type * from './api/documents.js';
export type * from './api/jobs.js';
export type * from './api/module-migration.js';
export type * from './api/modules.js';
export type * from './api/search.js';

/** The capabilities a Store is made of, by name (as bind.ts takes a dialect's functions). */
export interface Capabilities {
  collections: CollectionStore;
  documents: DocumentStore;
  search: SearchStore;
  clusterings: ClusteringStore;
  clusterReview: ClusterReviewStore;
  classifiers: ClassifierStore;
  jobs: JobStore;
  modules: ModuleStore;
  moduleMigration: ModuleMigrationStore;
}

/** Every capability on one connection (pool) of one dialect: what services use. */
export interface Store extends CollectionStore, DocumentStore, SearchStore, ClusteringStore, ClusterReviewStore, ClassifierStore, JobStore, ModuleStore,
  ModuleMigrationStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Releases the connection (pool); idempotent. */
  close(): Promise<void>;
  /** Change notifications (api/changes.ts), where the dialect has them (PostgreSQL). */
  onChange?: ChangeFeed['onChange'];
}
