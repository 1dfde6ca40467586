/**
 * PostgreSQL tables of the store (drizzle-orm pg-core). Migrations under migrations/pg are
 * generated from this file by drizzle-kit (`npm run migrations:generate`); never edit them by hand.
 * Timestamps are timestamptz; JSON is jsonb; vectors are little-endian float32 bytea.
 * The SQLite twin is ../sqlite/schema.ts: keep the two in step.
 */
import { sql, type SQL } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { MigrationState, ModuleBinding } from '../types.js';
import type { ClassifierMetrics, ClusterKeyword, ClusteringQuality, ClusterProjection, ClusterRepresentative, HeadKind } from '../types.js';

/** bytea as a Node Buffer (drizzle-orm 0.45 has no built-in bytea column). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});

/** tsvector, written only by PostgreSQL (a generated column); drizzle never selects it by default. */
const tsvector = customType<{ data: string; driverData: string }>({
  dataType: () => 'tsvector',
});

/**
 * Characters of `documents.text` that full-text search indexes. to_tsvector refuses more than
 * 1 MiB of distinct lexeme bytes, so an unbounded document (SEMHUB_MAX_TEXT_BYTES allows 16 MiB)
 * would make its upsert fail; 200,000 characters are at most 800 KB of UTF-8.
 */
const SEARCH_TEXT_CHARS = 200_000;

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** The store-wide document change sequence (`documents.seq`), one nextval per write. */
export const documentSeq = pgSequence('document_seq');

/**
 * One row per collection; the module binding and HNSW build parameters travel with it. A module
 * migration (api/module-migration.ts) records its state in `migration`, a swap keeps the module
 * bound before it in `previous_module`, and every binding change bumps `binding_version`.
 */
export const collections = pgTable('collections', {
  key: integer('key').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull().unique(),
  moduleName: text('module_name').notNull(),
  moduleVersion: text('module_version').notNull(),
  moduleSha256: text('module_sha256').notNull(),
  dims: integer('dims').notNull(),
  metric: text('metric', { enum: ['cosine', 'ip', 'l2'] }).notNull(),
  hnswM: integer('hnsw_m').notNull(),
  hnswEfConstruction: integer('hnsw_ef_construction').notNull(),
  hnswEf: integer('hnsw_ef').notNull(),
  createdAt: tstz('created_at').notNull(),
  previousModule: jsonb('previous_module').$type<ModuleBinding>(),
  migration: jsonb('migration').$type<MigrationState>(),
  bindingVersion: integer('binding_version').notNull().default(0),
});

/**
 * Documents; `key` is the stable vector-index label, `seq` the store-wide change sequence.
 * `key` is bigint because INSERT .. ON CONFLICT draws an identity value even when it updates.
 * `searchVector` is the english tsvector of the text (its first SEARCH_TEXT_CHARS characters),
 * generated and stored by PostgreSQL in the same row write, GIN-indexed for keywordSearch.
 */
export const documents = pgTable(
  'documents',
  {
    key: bigint('key', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    collectionKey: integer('collection_key')
      .notNull()
      .references(() => collections.key, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    text: text('text').notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    contentHash: text('content_hash').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
    deletedAt: tstz('deleted_at'),
    searchVector: tsvector('search_vector')
      .generatedAlwaysAs((): SQL => sql`to_tsvector('english'::regconfig, left(${documents.text}, ${sql.raw(String(SEARCH_TEXT_CHARS))}))`),
  },
  (t) => [
    uniqueIndex('documents_collection_id_uq').on(t.collectionKey, t.id),
    index('documents_collection_seq_idx').on(t.collectionKey, t.seq),
    index('documents_collection_hash_idx').on(t.collectionKey, t.contentHash),
    index('documents_collection_key_idx').on(t.collectionKey, t.key),
    // Live keys of a collection in key order (index-only when the visibility map allows).
    index('documents_live_key_idx').on(t.collectionKey, t.key).where(sql`deleted_at IS NULL`),
    index('documents_search_idx').using('gin', t.searchVector),
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
export const vectors = pgTable(
  'vectors',
  {
    documentKey: bigint('document_key', { mode: 'number' })
      .notNull()
      .references(() => documents.key, { onDelete: 'cascade' }),
    moduleSha256: text('module_sha256').notNull().default(''),
    collectionKey: integer('collection_key').notNull().default(0),
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    contentHash: text('content_hash').notNull().default(''),
    vector: bytea('vector').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.documentKey, t.moduleSha256] }),
    index('vectors_feed_idx').on(t.collectionKey, t.moduleSha256, t.seq),
  ],
);

/** Background jobs (clustering, training, re-embedding); params/result are JSON objects. */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    collectionKey: integer('collection_key').references(() => collections.key, { onDelete: 'cascade' }),
    status: text('status', { enum: ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] }).notNull(),
    progress: doublePrecision('progress').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: text('error'),
    /** The process that claimed the job (JobRunner's owner id); null until claimed. */
    owner: text('owner'),
    /** The owner's lease: past it, another process may claim the job again. */
    leaseUntil: tstz('lease_until'),
    /** How many times the job was claimed. */
    attempts: integer('attempts').notNull().default(0),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [index('jobs_collection_idx').on(t.collectionKey)],
);

/**
 * Clusterings (clusterCollection): parameters, state and quality. `id` is also the id of the job
 * that computes it (deleting the job deletes the clustering); both cascade from the collection.
 */
export const clusterings = pgTable(
  'clusterings',
  {
    key: integer('key').primaryKey().generatedAlwaysAsIdentity(),
    id: text('id').notNull().unique().references(() => jobs.id, { onDelete: 'cascade' }),
    collectionKey: integer('collection_key')
      .notNull()
      .references(() => collections.key, { onDelete: 'cascade' }),
    status: text('status', { enum: ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] }).notNull(),
    progress: doublePrecision('progress').notNull(),
    error: text('error'),
    kRequested: integer('k_requested'),
    k: integer('k'),
    kChosenBy: text('k_chosen_by'),
    seed: integer('seed').notNull(),
    restarts: integer('restarts').notNull(),
    filter: jsonb('filter').$type<unknown>(),
    evaluateAgainst: text('evaluate_against'),
    documentCount: integer('document_count'),
    quality: jsonb('quality').$type<ClusteringQuality>(),
    projection: jsonb('projection').$type<ClusterProjection>(),
    /** The module whose vectors it was computed with (null for clusterings stored before module migrations). */
    module: jsonb('module').$type<ModuleBinding>(),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
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
export const clusters = pgTable(
  'clusters',
  {
    clusteringKey: integer('clustering_key')
      .notNull()
      .references(() => clusterings.key, { onDelete: 'cascade' }),
    cluster: integer('cluster').notNull(),
    size: integer('size').notNull(),
    label: text('label').notNull(),
    keywords: jsonb('keywords').$type<ClusterKeyword[]>().notNull(),
    representatives: jsonb('representatives').$type<ClusterRepresentative[]>().notNull(),
    reviewedLabel: text('reviewed_label'),
    noise: boolean('noise').notNull().default(false),
    mergedInto: integer('merged_into'),
  },
  (t) => [primaryKey({ columns: [t.clusteringKey, t.cluster] })],
);

/**
 * Document -> cluster of a finished clustering, with the document's place on the 2D map (x, y;
 * sampled = laid out by UMAP, not placed from its neighbours; null for clusterings stored before
 * maps existed). No foreign key to documents: they are only ever
 * soft-deleted (readers join live documents), and hard-deleted only with their collection, whose
 * cascade removes the clustering too; an FK would make that cascade probe this table per document.
 */
export const clusterAssignments = pgTable(
  'cluster_assignments',
  {
    clusteringKey: integer('clustering_key')
      .notNull()
      .references(() => clusterings.key, { onDelete: 'cascade' }),
    documentKey: bigint('document_key', { mode: 'number' }).notNull(),
    cluster: integer('cluster').notNull(),
    x: real('x'),
    y: real('y'),
    sampled: boolean('sampled'),
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
export const classifiers = pgTable(
  'classifiers',
  {
    key: integer('key').primaryKey().generatedAlwaysAsIdentity(),
    collectionKey: integer('collection_key')
      .notNull()
      .references(() => collections.key, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    head: text('head', { enum: ['LOGISTIC', 'DNN', 'KNN'] }).$type<HeadKind>().notNull(),
    labelKey: text('label_key').notNull(),
    labels: jsonb('labels').$type<string[]>().notNull(),
    hyperparameters: jsonb('hyperparameters').$type<Record<string, unknown>>().notNull(),
    metrics: jsonb('metrics').$type<ClassifierMetrics>(),
    training: jsonb('training').$type<Record<string, unknown>>().notNull(),
    moduleName: text('module_name').notNull(),
    moduleVersion: text('module_version').notNull(),
    moduleSha256: text('module_sha256').notNull(),
    moduleDims: integer('module_dims').notNull(),
    layers: jsonb('layers').$type<number[]>().notNull(),
    weights: bytea('weights').notNull(),
    trainedOn: integer('trained_on').notNull(),
    validatedOn: integer('validated_on').notNull(),
    skipped: integer('skipped').notNull(),
    createdAt: tstz('created_at').notNull(),
  },
  (t) => [uniqueIndex('classifiers_collection_name_version_uq').on(t.collectionKey, t.name, t.version)],
);

/** Modules loaded through loadModule, by name: what another process needs to load the same module (api/modules.ts). */
export const modules = pgTable('modules', {
  name: text('name').primaryKey(),
  version: text('version').notNull(),
  source: text('source').notNull(),
  sha256: text('sha256').notNull(),
  dims: integer('dims').notNull(),
  createdAt: tstz('created_at').notNull(),
});
