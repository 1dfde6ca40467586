/**
 * SQLite tables of the store (drizzle-orm sqlite-core). Migrations under migrations/sqlite are
 * generated from this file by drizzle-kit (`npm run migrations:generate`); never edit them by hand.
 * Timestamps are integer milliseconds; JSON is text; vectors are little-endian float32 blobs.
 * The PostgreSQL twin is ../pg/schema.ts: keep the two in step.
 *
 * Full-text search lives outside drizzle's view: one FTS5 table per collection with its triggers on
 * `documents`, created at run time by keyword-index.ts (external content over documents.text,
 * rowid = documents.key, live documents only). A future migration that rebuilds `documents`
 * (drizzle-kit's __new_documents copy for column changes) drops those triggers with the old
 * table: the store rebuilds any keyword index whose triggers are missing when it opens, and keys
 * must stay unchanged.
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { MigrationState, ModuleBinding } from '../types.js';
import type { ClassifierMetrics, ClusterKeyword, ClusteringQuality, ClusterProjection, ClusterRepresentative, HeadKind } from '../types.js';

/**
 * One row per collection; the module binding and HNSW build parameters travel with it. A module
 * migration (api/module-migration.ts) records its state in `migration`, a swap keeps the module
 * bound before it in `previous_module`, and every binding change bumps `binding_version`.
 */
export const collections = sqliteTable('collections', {
  key: integer('key').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  moduleName: text('module_name').notNull(),
  moduleVersion: text('module_version').notNull(),
  moduleSha256: text('module_sha256').notNull(),
  dims: integer('dims').notNull(),
  metric: text('metric', { enum: ['cosine', 'ip', 'l2'] }).notNull(),
  hnswM: integer('hnsw_m').notNull(),
  hnswEfConstruction: integer('hnsw_ef_construction').notNull(),
  hnswEf: integer('hnsw_ef').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  previousModule: text('previous_module', { mode: 'json' }).$type<ModuleBinding>(),
  migration: text('migration', { mode: 'json' }).$type<MigrationState>(),
  bindingVersion: integer('binding_version').notNull().default(0),
});

/** Documents; `key` is the stable vector-index label, `seq` the store-wide change sequence. */
export const documents = sqliteTable(
  'documents',
  {
    key: integer('key').primaryKey({ autoIncrement: true }),
    collectionKey: integer('collection_key')
      .notNull()
      .references(() => collections.key, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    text: text('text').notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
    contentHash: text('content_hash').notNull(),
    seq: integer('seq').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('documents_collection_id_uq').on(t.collectionKey, t.id),
    index('documents_collection_seq_idx').on(t.collectionKey, t.seq),
    index('documents_collection_hash_idx').on(t.collectionKey, t.contentHash),
    index('documents_collection_key_idx').on(t.collectionKey, t.key),
    // Live keys of a collection in key order without touching the table: search allow-lists.
    index('documents_live_key_idx').on(t.collectionKey, t.key).where(sql`deleted_at IS NULL`),
  ],
);

/**
 * The vectors of a document, one per module that embedded it (the bound module's written in the
 * same transaction as the document; a migration's target's by its job). `seq` is the change
 * sequence of the vector's last change (its document's write, a delete, or the migration job's
 * write): each module's index follows (collection, module) by seq. `content_hash` is the hash of
 * the text it was embedded from: a vector whose hash differs from its document's is stale. The
 * defaults only serve migration 0009/0007, which fills the rows written before; writes set them all.
 */
export const vectors = sqliteTable(
  'vectors',
  {
    documentKey: integer('document_key')
      .notNull()
      .references(() => documents.key, { onDelete: 'cascade' }),
    moduleSha256: text('module_sha256').notNull().default(''),
    collectionKey: integer('collection_key').notNull().default(0),
    seq: integer('seq').notNull().default(0),
    contentHash: text('content_hash').notNull().default(''),
    vector: blob('vector', { mode: 'buffer' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.documentKey, t.moduleSha256] }),
    index('vectors_feed_idx').on(t.collectionKey, t.moduleSha256, t.seq),
  ],
);

/** Background jobs (clustering, training, re-embedding); params/result are JSON objects. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    collectionKey: integer('collection_key').references(() => collections.key, { onDelete: 'cascade' }),
    status: text('status', { enum: ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] }).notNull(),
    progress: real('progress').notNull(),
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    result: text('result', { mode: 'json' }).$type<Record<string, unknown>>(),
    error: text('error'),
    /** The process that claimed the job (JobRunner's owner id); null until claimed. */
    owner: text('owner'),
    /** The owner's lease: past it, another process may claim the job again. */
    leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
    /** How many times the job was claimed. */
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('jobs_collection_idx').on(t.collectionKey)],
);

/**
 * Clusterings (clusterCollection): parameters, state and quality. `id` is also the id of the job
 * that computes it (deleting the job deletes the clustering); both cascade from the collection.
 */
export const clusterings = sqliteTable(
  'clusterings',
  {
    key: integer('key').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique().references(() => jobs.id, { onDelete: 'cascade' }),
    collectionKey: integer('collection_key')
      .notNull()
      .references(() => collections.key, { onDelete: 'cascade' }),
    status: text('status', { enum: ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] }).notNull(),
    progress: real('progress').notNull(),
    error: text('error'),
    kRequested: integer('k_requested'),
    k: integer('k'),
    kChosenBy: text('k_chosen_by'),
    seed: integer('seed').notNull(),
    restarts: integer('restarts').notNull(),
    filter: text('filter', { mode: 'json' }).$type<unknown>(),
    evaluateAgainst: text('evaluate_against'),
    documentCount: integer('document_count'),
    quality: text('quality', { mode: 'json' }).$type<ClusteringQuality>(),
    projection: text('projection', { mode: 'json' }).$type<ClusterProjection>(),
    /** The module whose vectors it was computed with (null for clusterings stored before module migrations). */
    module: text('module', { mode: 'json' }).$type<ModuleBinding>(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('clusterings_collection_key_idx').on(t.collectionKey, t.key),
    index('clusterings_status_idx').on(t.status, t.updatedAt),
  ],
);

/**
 * The clusters of a finished clustering; keywords and representatives (document keys) are JSON.
 * reviewed_label, noise and merged_into are a reviewer's (renameCluster, markClusterNoise, mergeClusters).
 */
export const clusters = sqliteTable(
  'clusters',
  {
    clusteringKey: integer('clustering_key')
      .notNull()
      .references(() => clusterings.key, { onDelete: 'cascade' }),
    cluster: integer('cluster').notNull(),
    size: integer('size').notNull(),
    label: text('label').notNull(),
    keywords: text('keywords', { mode: 'json' }).$type<ClusterKeyword[]>().notNull(),
    representatives: text('representatives', { mode: 'json' }).$type<ClusterRepresentative[]>().notNull(),
    reviewedLabel: text('reviewed_label'),
    noise: integer('noise', { mode: 'boolean' }).notNull().default(false),
    mergedInto: integer('merged_into'),
  },
  (t) => [primaryKey({ columns: [t.clusteringKey, t.cluster] })],
);

/**
 * Document -> cluster of a finished clustering, with the document's place on the 2D map (x, y;
 * sampled = laid out by UMAP, not placed from its neighbours; null for clusterings stored before
 * maps existed). No foreign key to documents: they are only ever
 * soft-deleted (readers join live documents), and hard-deleted only with their collection, whose
 * cascade removes the clustering too; an FK would make that cascade scan this table per document.
 */
export const clusterAssignments = sqliteTable(
  'cluster_assignments',
  {
    clusteringKey: integer('clustering_key')
      .notNull()
      .references(() => clusterings.key, { onDelete: 'cascade' }),
    documentKey: integer('document_key').notNull(),
    cluster: integer('cluster').notNull(),
    x: real('x'),
    y: real('y'),
    sampled: integer('sampled', { mode: 'boolean' }),
  },
  (t) => [
    primaryKey({ columns: [t.clusteringKey, t.documentKey] }),
    // A cluster's members in document key order: Cluster.documents pages.
    index('cluster_assignments_cluster_idx').on(t.clusteringKey, t.cluster, t.documentKey),
  ],
);

/**
 * Trained classifier heads (trainClassifier): one row per version of a name in a collection,
 * older versions kept. `weights` are the network parameters as little-endian float32 bytes
 * (layout in src/ml/heads/net.ts; empty for KNN). The module columns record what the vectors it
 * was trained on came from. Cascades from the collection.
 */
export const classifiers = sqliteTable(
  'classifiers',
  {
    key: integer('key').primaryKey({ autoIncrement: true }),
    collectionKey: integer('collection_key')
      .notNull()
      .references(() => collections.key, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    head: text('head', { enum: ['LOGISTIC', 'DNN', 'KNN'] }).$type<HeadKind>().notNull(),
    labelKey: text('label_key').notNull(),
    labels: text('labels', { mode: 'json' }).$type<string[]>().notNull(),
    hyperparameters: text('hyperparameters', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    metrics: text('metrics', { mode: 'json' }).$type<ClassifierMetrics>(),
    training: text('training', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    moduleName: text('module_name').notNull(),
    moduleVersion: text('module_version').notNull(),
    moduleSha256: text('module_sha256').notNull(),
    moduleDims: integer('module_dims').notNull(),
    layers: text('layers', { mode: 'json' }).$type<number[]>().notNull(),
    weights: blob('weights', { mode: 'buffer' }).notNull(),
    trainedOn: integer('trained_on').notNull(),
    validatedOn: integer('validated_on').notNull(),
    skipped: integer('skipped').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('classifiers_collection_name_version_uq').on(t.collectionKey, t.name, t.version)],
);

/**
 * Named counters; the row 'seq' holds the last document change sequence handed out. It is bumped
 * inside each write transaction (SQLite has no sequences), so seq order is commit order.
 */
export const counters = sqliteTable('counters', {
  name: text('name').primaryKey(),
  value: integer('value').notNull(),
});

/** Modules loaded through loadModule, by name: what a restarted server needs to load the same module (api/modules.ts). */
export const modules = sqliteTable('modules', {
  name: text('name').primaryKey(),
  version: text('version').notNull(),
  source: text('source').notNull(),
  sha256: text('sha256').notNull(),
  dims: integer('dims').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});
