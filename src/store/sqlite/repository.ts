/**
 * The SQLite Store (better-sqlite3 via drizzle). better-sqlite3 is synchronous and this store owns
 * one connection, so every call runs to completion before the next starts: concurrent async
 * callers cannot interleave inside a transaction, and writes are never lost to races.
 */
import type Database from 'better-sqlite3';
import { asc, count, eq, gt } from 'drizzle-orm';
import { conflict } from '../../errors.js';
import type { Filter } from '../filter-ast.js';
import { guard, isUniqueViolation } from '../driver-error.js';
import { collectionExists, collectionValues, toCollectionRow, toJobRow } from '../rows.js';
import type {
  ClusteringOutcome, ClusteringParams, ClusteringPatch, CollectionRow, MetadataPatch, NewClassifier, DocumentWrite, JobRow, NewCollection, PageRequest, Store,
} from '../types.js';
import type { SqliteDb } from './db.js';
import * as read from './documents-read.js';
import * as classifier from './classifiers.js';
import * as clustering from './clusterings.js';
import * as search from './search-read.js';
import { deleteDocuments, upsertDocuments } from './documents-write.js';
import { HotReads } from './hot-reads.js';
import { HotWrites } from './hot-writes.js';
import { createKeywordIndex, dropKeywordIndex } from './keyword-index.js';
import { collections, documents, jobs } from './schema.js';

/** Store on one better-sqlite3 connection; build it with `openSqliteStore` (sqlite/client.ts). */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;

  private readonly hot: HotReads;
  private readonly writes: HotWrites;

  constructor(private readonly client: Database.Database, private readonly db: SqliteDb) {
    this.hot = new HotReads(client);
    this.writes = new HotWrites(client);
  }

  createCollection(c: NewCollection): Promise<CollectionRow> {
    return guard('createCollection', () => {
      try {
        return this.client.transaction(() => {
          const row = this.db.insert(collections).values(collectionValues(c, new Date())).returning().get();
          createKeywordIndex(this.client, row.key);
          return toCollectionRow(row);
        }).immediate();
      } catch (e) {
        if (isUniqueViolation(e)) throw conflict(collectionExists(c.name));
        throw e;
      }
    });
  }

  getCollection(name: string): Promise<CollectionRow | null> {
    return guard('getCollection', () => {
      const row = this.db.select().from(collections).where(eq(collections.name, name)).get();
      return row ? toCollectionRow(row) : null;
    });
  }

  listCollections(page: PageRequest): Promise<CollectionRow[]> {
    return guard('listCollections', () =>
      this.db.select().from(collections)
        .where(page.afterKey === undefined ? undefined : gt(collections.key, page.afterKey))
        .orderBy(asc(collections.key)).limit(page.first).all().map(toCollectionRow));
  }

  countCollections(): Promise<number> {
    return guard('countCollections', () => this.db.select({ n: count() }).from(collections).get()?.n ?? 0);
  }

  deleteCollection(name: string): Promise<boolean> {
    return guard('deleteCollection', () =>
      this.client.transaction(() => {
        const row = this.db.select({ key: collections.key }).from(collections).where(eq(collections.name, name)).get();
        if (!row) return false;
        // the keyword index first: its triggers would otherwise un-index every cascaded document one by one
        dropKeywordIndex(this.client, row.key);
        return this.db.delete(collections).where(eq(collections.key, row.key)).run().changes > 0;
      }).immediate());
  }

  upsertDocuments(collectionKey: number, docs: DocumentWrite[]) {
    return guard('upsertDocuments', () => upsertDocuments(this.writes, collectionKey, docs));
  }

  deleteDocuments(collectionKey: number, ids: string[]) {
    return guard('deleteDocuments', () => deleteDocuments(this.writes, collectionKey, ids));
  }

  getDocumentsByIds(collectionKey: number, ids: string[]) {
    return guard('getDocumentsByIds', () => this.hot.documentsByIds(collectionKey, ids));
  }

  getDocumentsByKeys(collectionKey: number, keys: number[]) {
    return guard('getDocumentsByKeys', () => this.hot.documentsByKeys(collectionKey, keys));
  }

  listDocuments(collectionKey: number, filter: Filter | null, page: PageRequest) {
    return guard('listDocuments', () => read.listDocuments(this.db, collectionKey, filter, page));
  }

  countDocuments(collectionKey: number, filter: Filter | null = null) {
    return guard('countDocuments', () => read.countDocuments(this.db, collectionKey, filter));
  }

  countDeleted(collectionKey: number) {
    return guard('countDeleted', () => read.countDeleted(this.db, collectionKey));
  }

  vectorsByContentHash(collectionKey: number, hashes: string[]) {
    return guard('vectorsByContentHash', () => read.vectorsByContentHash(this.db, collectionKey, hashes));
  }

  vectors(collectionKey: number, filter: Filter | null, page: PageRequest) {
    return guard('vectors', () => read.liveVectors(this.db, collectionKey, filter, page));
  }

  changesSince(collectionKey: number, afterSeq: number, limit: number) {
    return guard('changesSince', () => read.changesSince(this.db, collectionKey, afterSeq, limit));
  }

  maxSeq(collectionKey: number) {
    return guard('maxSeq', () => read.maxSeq(this.db, collectionKey));
  }

  getVectorsByKeys(collectionKey: number, keys: number[]) {
    return guard('getVectorsByKeys', () => this.hot.vectorsByKeys(collectionKey, keys));
  }

  documentKeys(collectionKey: number, filter: Filter | null) {
    return guard('documentKeys', () => search.documentKeys(this.db, this.client, collectionKey, filter));
  }

  keywordSearch(collectionKey: number, query: string, limit: number, filter: Filter | null) {
    return guard('keywordSearch', () => search.keywordSearch(this.db, collectionKey, query, limit, filter));
  }

  createJob(job: { id: string; kind: string; collectionKey: number | null; params: Record<string, unknown> }): Promise<JobRow> {
    return guard('createJob', () => {
      const now = new Date();
      const row = this.db.insert(jobs).values({
        ...job, status: 'PENDING', progress: 0, result: null, error: null, createdAt: now, updatedAt: now,
      }).returning().get();
      return toJobRow(row);
    });
  }

  /** Applies `patch` and bumps updatedAt; a job that no longer exists (collection deleted) is ignored. */
  updateJob(id: string, patch: Partial<Pick<JobRow, 'status' | 'progress' | 'result' | 'error'>>): Promise<void> {
    return guard('updateJob', () => {
      this.db.update(jobs).set({ ...patch, updatedAt: new Date() }).where(eq(jobs.id, id)).run();
    });
  }

  getJob(id: string): Promise<JobRow | null> {
    return guard('getJob', () => {
      const row = this.db.select().from(jobs).where(eq(jobs.id, id)).get();
      return row ? toJobRow(row) : null;
    });
  }

  createClustering(c: { id: string; collectionKey: number; params: ClusteringParams }) {
    return guard('createClustering', () => clustering.createClustering(this.db, c));
  }

  updateClustering(id: string, patch: ClusteringPatch) {
    return guard('updateClustering', () => clustering.updateClustering(this.db, id, patch));
  }

  finishClustering(id: string, outcome: ClusteringOutcome) {
    return guard('finishClustering', () => clustering.finishClustering(this.db, id, outcome));
  }

  getClustering(id: string) {
    return guard('getClustering', () => clustering.getClustering(this.db, id));
  }

  listClusterings(collectionKey: number, page: PageRequest) {
    return guard('listClusterings', () => clustering.listClusterings(this.db, collectionKey, page));
  }

  countClusterings(collectionKey: number) {
    return guard('countClusterings', () => clustering.countClusterings(this.db, collectionKey));
  }

  deleteClustering(id: string) {
    return guard('deleteClustering', () => clustering.deleteClustering(this.db, id));
  }

  failStaleClusterings(staleBefore: Date, error: string) {
    return guard('failStaleClusterings', () => clustering.failStaleClusterings(this.db, staleBefore, error));
  }

  getClusters(clusteringKeys: number[]) {
    return guard('getClusters', () => clustering.getClusters(this.db, clusteringKeys));
  }

  listClusterDocuments(clusteringKey: number, cluster: number, page: PageRequest) {
    return guard('listClusterDocuments', () => clustering.listClusterDocuments(this.db, clusteringKey, cluster, page));
  }

  countClusterDocuments(clusteringKey: number, cluster: number) {
    return guard('countClusterDocuments', () => clustering.countClusterDocuments(this.db, clusteringKey, cluster));
  }


  createClassifier(c: NewClassifier) {
    return guard('createClassifier', () => classifier.createClassifier(this.db, c));
  }

  getClassifier(collectionKey: number, name: string, version?: number | null) {
    return guard('getClassifier', () => classifier.getClassifier(this.db, collectionKey, name, version));
  }

  listClassifiers(collectionKey: number) {
    return guard('listClassifiers', () => classifier.listClassifiers(this.db, collectionKey));
  }

  classifierVersions(collectionKey: number, name: string) {
    return guard('classifierVersions', () => classifier.classifierVersions(this.db, collectionKey, name));
  }

  getClassifierWeights(classifierKey: number) {
    return guard('getClassifierWeights', () => classifier.getClassifierWeights(this.db, classifierKey));
  }

  deleteClassifier(collectionKey: number, name: string, version?: number | null) {
    return guard('deleteClassifier', () => classifier.deleteClassifier(this.db, collectionKey, name, version));
  }

  vectorsWithMetadata(collectionKey: number, filter: Filter | null, page: PageRequest) {
    return guard('vectorsWithMetadata', () => classifier.vectorsWithMetadata(this.db, collectionKey, filter, page));
  }

  failStaleJobs(kind: string, staleBefore: Date, error: string) {
    return guard('failStaleJobs', () => classifier.failStaleJobs(this.db, kind, staleBefore, error));
  }

  patchDocumentMetadata(collectionKey: number, patches: MetadataPatch[]) {
    return guard('patchDocumentMetadata', () => classifier.patchDocumentMetadata(this.db, collectionKey, patches));
  }

  /** Closes the connection (a WAL checkpoint runs on close). Idempotent. */
  close(): Promise<void> {
    return guard('close', () => {
      if (!this.client.open) return;
      this.client.pragma('optimize');
      this.client.close();
    });
  }
}
