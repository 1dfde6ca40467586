/**
 * Clusterings on SQLite: a clustering and its job are created, updated and finished together,
 * each in one IMMEDIATE transaction; a finished clustering's clusters and assignments are written
 * in the same transaction that marks it SUCCEEDED, so a reader never sees half a result.
 */
import { and, asc, count, eq, getTableColumns, inArray, lt, type SQL } from 'drizzle-orm';
import { notFound } from '../../errors.js';
import { after, leaseFree, liveClusterMembers } from '../conditions.js';
import {
  assignmentRows, checkOutcome, CLUSTER_JOB_KIND, clusteringJobParams, clusteringJobResult, COLLECTION_MISSING,
  groupClusters, jobPatchOf, newJobValues, toClusteringRow, toCollectionRow, UNFINISHED, type ClusterRecord,
} from '../rows.js';
import type { ClusteringOutcome, ClusteringPatch, ClusteringRow, ClusterRow, DocumentRow, NewClustering, PageRequest } from '../types.js';
import { chunk } from '../upsert-plan.js';
import type { SqliteConn } from './conn.js';
import { documentColumns, type SqliteDb } from './db.js';
import { clusterAssignments, clusterings, clusters, collections, documents, jobs } from './schema.js';

/** Rows per INSERT of assignments (6 parameters each, far under SQLite's 32766). */
const ASSIGNMENT_CHUNK = 2000;

const clusteringColumns = { ...getTableColumns(clusterings), collectionName: collections.name };

function selectClusterings(db: SqliteDb, where: SQL | undefined) {
  return db.select(clusteringColumns).from(clusterings)
    .innerJoin(collections, eq(collections.key, clusterings.collectionKey))
    .where(where);
}

/** Store.createClustering for SQLite. */
export function createClustering({ db }: SqliteConn, c: NewClustering): ClusteringRow {
  return db.transaction((tx) => {
    const coll = tx.select().from(collections).where(eq(collections.key, c.collectionKey)).get();
    if (!coll) throw notFound(COLLECTION_MISSING);
    const now = new Date();
    tx.insert(jobs).values(newJobValues({ id: c.id, kind: CLUSTER_JOB_KIND, collectionKey: c.collectionKey, params: clusteringJobParams(c.params), claim: c.claim }, now)).run();
    tx.insert(clusterings).values({
      id: c.id, collectionKey: c.collectionKey, status: 'PENDING', progress: 0, ...c.params, module: toCollectionRow(coll).module, createdAt: now, updatedAt: now,
    }).run();
    return toClusteringRow(selectClusterings(tx, eq(clusterings.id, c.id)).get()!);
  }, { behavior: 'immediate' });
}

/** Store.updateClustering for SQLite: only unfinished clusterings change. */
export function updateClustering({ db }: SqliteConn, id: string, patch: ClusteringPatch): void {
  db.transaction((tx) => {
    const now = new Date();
    const changed = tx.update(clusterings).set({ ...patch, updatedAt: now })
      .where(and(eq(clusterings.id, id), inArray(clusterings.status, UNFINISHED))).run().changes;
    if (changed > 0) tx.update(jobs).set({ ...jobPatchOf(patch), updatedAt: now }).where(eq(jobs.id, id)).run();
  }, { behavior: 'immediate' });
}

/** Store.finishClustering for SQLite. */
export function finishClustering({ db }: SqliteConn, id: string, o: ClusteringOutcome): boolean {
  checkOutcome(o);
  return db.transaction((tx) => {
    const row = tx.select({ key: clusterings.key }).from(clusterings)
      .where(and(eq(clusterings.id, id), inArray(clusterings.status, UNFINISHED))).get();
    if (!row) return false;
    tx.insert(clusters).values(o.clusters.map((c) => ({ clusteringKey: row.key, cluster: c.index, size: c.size, label: c.label, keywords: c.keywords, representatives: c.representatives }))).run();
    for (const part of chunk(assignmentRows(row.key, o), ASSIGNMENT_CHUNK)) tx.insert(clusterAssignments).values(part).run();
    const now = new Date();
    tx.update(clusterings).set({
      status: 'SUCCEEDED', progress: 1, error: null, k: o.k, kChosenBy: o.kChosenBy, documentCount: o.documentKeys.length, quality: o.quality,
      projection: o.projection?.info ?? null, updatedAt: now,
    }).where(eq(clusterings.key, row.key)).run();
    tx.update(jobs).set({ status: 'SUCCEEDED', progress: 1, error: null, result: clusteringJobResult(id, o), updatedAt: now }).where(eq(jobs.id, id)).run();
    return true;
  }, { behavior: 'immediate' });
}

/** Store.getClustering for SQLite. */
export function getClustering({ db }: SqliteConn, id: string): ClusteringRow | null {
  const row = selectClusterings(db, eq(clusterings.id, id)).get();
  return row ? toClusteringRow(row) : null;
}

/** Store.listClusterings for SQLite. */
export function listClusterings({ db }: SqliteConn, collectionKey: number, page: PageRequest): ClusteringRow[] {
  return selectClusterings(db, and(eq(clusterings.collectionKey, collectionKey), after(clusterings.key, page.afterKey)))
    .orderBy(asc(clusterings.key)).limit(page.first).all().map(toClusteringRow);
}

/** Store.countClusterings for SQLite. */
export function countClusterings({ db }: SqliteConn, collectionKey: number): number {
  return db.select({ n: count() }).from(clusterings).where(eq(clusterings.collectionKey, collectionKey)).get()?.n ?? 0;
}

/** Store.deleteClustering for SQLite: deleting the job cascades to the clustering, its clusters and assignments. */
export function deleteClustering({ db }: SqliteConn, id: string): boolean {
  return db.delete(jobs).where(and(eq(jobs.id, id), eq(jobs.kind, CLUSTER_JOB_KIND))).run().changes > 0;
}

/** Store.failStaleClusterings for SQLite. */
export function failStaleClusterings({ db }: SqliteConn, staleBefore: Date, error: string): string[] {
  return db.transaction((tx) => {
    const now = new Date();
    const unheld = tx.select({ id: jobs.id }).from(jobs).where(leaseFree(jobs, now));
    const ids = tx.select({ id: clusterings.id }).from(clusterings)
      .where(and(inArray(clusterings.status, UNFINISHED), lt(clusterings.updatedAt, staleBefore), inArray(clusterings.id, unheld))).all().map((r) => r.id);
    for (const part of chunk(ids)) {
      tx.update(clusterings).set({ status: 'FAILED', error, updatedAt: now }).where(inArray(clusterings.id, part)).run();
      tx.update(jobs).set({ status: 'FAILED', error, updatedAt: now }).where(inArray(jobs.id, part)).run();
    }
    return ids;
  }, { behavior: 'immediate' });
}

/** Store.getClusters for SQLite. */
export function getClusters({ db }: SqliteConn, clusteringKeys: number[]): ClusterRow[][] {
  const parts: ClusterRecord[][] = [];
  for (const part of chunk([...new Set(clusteringKeys)])) {
    parts.push(db.select().from(clusters).where(inArray(clusters.clusteringKey, part))
      .orderBy(asc(clusters.clusteringKey), asc(clusters.cluster)).all());
  }
  return groupClusters(clusteringKeys, parts.flat());
}

/** Store.listClusterDocuments for SQLite. */
export function listClusterDocuments({ db }: SqliteConn, clusteringKey: number, members: readonly number[], page: PageRequest): DocumentRow[] {
  return db.select(documentColumns).from(clusterAssignments)
    .innerJoin(documents, eq(documents.key, clusterAssignments.documentKey))
    .where(liveClusterMembers(clusterAssignments, documents, clusteringKey, members, page.afterKey))
    .orderBy(asc(clusterAssignments.documentKey)).limit(page.first).all();
}

/** Store.countClusterDocuments for SQLite. */
export function countClusterDocuments({ db }: SqliteConn, clusteringKey: number, members: readonly number[]): number {
  return db.select({ n: count() }).from(clusterAssignments)
    .innerJoin(documents, eq(documents.key, clusterAssignments.documentKey))
    .where(liveClusterMembers(clusterAssignments, documents, clusteringKey, members)).get()?.n ?? 0;
}

