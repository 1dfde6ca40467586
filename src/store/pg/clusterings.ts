/**
 * Clusterings on PostgreSQL: a clustering and its job are created, updated and finished together,
 * each in one transaction; a finished clustering's clusters and assignments are written in the
 * same transaction that marks it SUCCEEDED (the clustering row locked FOR UPDATE first, so a
 * concurrent stale sweep or delete either waits or wins cleanly), so a reader never sees half a result.
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
import { documentColumns, type PgDb, type PgTx } from './db.js';
import { clusterAssignments, clusterings, clusters, collections, documents, jobs } from './schema.js';

/** Rows per INSERT of assignments (6 parameters each, far under PostgreSQL's 65535). */
const ASSIGNMENT_CHUNK = 5000;

const clusteringColumns = { ...getTableColumns(clusterings), collectionName: collections.name };

function selectClusterings(db: PgDb | PgTx, where: SQL | undefined) {
  return db.select(clusteringColumns).from(clusterings)
    .innerJoin(collections, eq(collections.key, clusterings.collectionKey))
    .where(where);
}

/** Store.createClustering for PostgreSQL. */
export async function createClustering(db: PgDb, c: NewClustering): Promise<ClusteringRow> {
  return db.transaction(async (tx) => {
    // FOR SHARE holds off a concurrent deleteCollection until this commits.
    const [coll] = await tx.select().from(collections).where(eq(collections.key, c.collectionKey)).for('share');
    if (!coll) throw notFound(COLLECTION_MISSING);
    const now = new Date();
    await tx.insert(jobs).values(newJobValues({ id: c.id, kind: CLUSTER_JOB_KIND, collectionKey: c.collectionKey, params: clusteringJobParams(c.params), claim: c.claim }, now));
    await tx.insert(clusterings).values({
      id: c.id, collectionKey: c.collectionKey, status: 'PENDING', progress: 0, ...c.params, module: toCollectionRow(coll).module, createdAt: now, updatedAt: now,
    });
    const [row] = await selectClusterings(tx, eq(clusterings.id, c.id));
    return toClusteringRow(row!);
  });
}

/** Store.updateClustering for PostgreSQL: only unfinished clusterings change. */
export async function updateClustering(db: PgDb, id: string, patch: ClusteringPatch): Promise<void> {
  await db.transaction(async (tx) => {
    const now = new Date();
    const changed = await tx.update(clusterings).set({ ...patch, updatedAt: now })
      .where(and(eq(clusterings.id, id), inArray(clusterings.status, UNFINISHED))).returning({ key: clusterings.key });
    if (changed.length > 0) await tx.update(jobs).set({ ...jobPatchOf(patch), updatedAt: now }).where(eq(jobs.id, id));
  });
}

/** Store.finishClustering for PostgreSQL. */
export async function finishClustering(db: PgDb, id: string, o: ClusteringOutcome): Promise<boolean> {
  checkOutcome(o);
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ key: clusterings.key }).from(clusterings)
      .where(and(eq(clusterings.id, id), inArray(clusterings.status, UNFINISHED))).for('update');
    if (!row) return false;
    await tx.insert(clusters).values(o.clusters.map((c) => ({ clusteringKey: row.key, cluster: c.index, size: c.size, label: c.label, keywords: c.keywords, representatives: c.representatives })));
    for (const part of chunk(assignmentRows(row.key, o), ASSIGNMENT_CHUNK)) await tx.insert(clusterAssignments).values(part);
    const now = new Date();
    await tx.update(clusterings).set({
      status: 'SUCCEEDED', progress: 1, error: null, k: o.k, kChosenBy: o.kChosenBy, documentCount: o.documentKeys.length, quality: o.quality,
      projection: o.projection?.info ?? null, updatedAt: now,
    }).where(eq(clusterings.key, row.key));
    await tx.update(jobs).set({ status: 'SUCCEEDED', progress: 1, error: null, result: clusteringJobResult(id, o), updatedAt: now }).where(eq(jobs.id, id));
    return true;
  });
}

/** Store.getClustering for PostgreSQL. */
export async function getClustering(db: PgDb, id: string): Promise<ClusteringRow | null> {
  const [row] = await selectClusterings(db, eq(clusterings.id, id));
  return row ? toClusteringRow(row) : null;
}

/** Store.listClusterings for PostgreSQL. */
export async function listClusterings(db: PgDb, collectionKey: number, page: PageRequest): Promise<ClusteringRow[]> {
  const rows = await selectClusterings(db, and(eq(clusterings.collectionKey, collectionKey), after(clusterings.key, page.afterKey)))
    .orderBy(asc(clusterings.key)).limit(page.first);
  return rows.map(toClusteringRow);
}

/** Store.countClusterings for PostgreSQL. */
export async function countClusterings(db: PgDb, collectionKey: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(clusterings).where(eq(clusterings.collectionKey, collectionKey));
  return row?.n ?? 0;
}

/**
 * Store.deleteClustering for PostgreSQL: deleting the job cascades to the clustering, its clusters
 * and assignments. The clustering row is locked first, as updateClustering and finishClustering
 * lock it before its job: taken in the other order, a delete and a running job's heartbeat on
 * another process deadlock.
 */
export async function deleteClustering(db: PgDb, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.select({ key: clusterings.key }).from(clusterings).where(eq(clusterings.id, id)).for('update');
    const rows = await tx.delete(jobs).where(and(eq(jobs.id, id), eq(jobs.kind, CLUSTER_JOB_KIND))).returning({ id: jobs.id });
    return rows.length > 0;
  });
}

/** Store.failStaleClusterings for PostgreSQL. */
export async function failStaleClusterings(db: PgDb, staleBefore: Date, error: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const unheld = tx.select({ id: jobs.id }).from(jobs).where(leaseFree(jobs, now));
    const rows = await tx.update(clusterings).set({ status: 'FAILED', error, updatedAt: now })
      .where(and(inArray(clusterings.status, UNFINISHED), lt(clusterings.updatedAt, staleBefore), inArray(clusterings.id, unheld)))
      .returning({ id: clusterings.id });
    const ids = rows.map((r) => r.id);
    for (const part of chunk(ids)) await tx.update(jobs).set({ status: 'FAILED', error, updatedAt: now }).where(inArray(jobs.id, part));
    return ids;
  });
}

/** Store.getClusters for PostgreSQL. */
export async function getClusters(db: PgDb, clusteringKeys: number[]): Promise<ClusterRow[][]> {
  const parts: ClusterRecord[][] = [];
  for (const part of chunk([...new Set(clusteringKeys)])) {
    parts.push(await db.select().from(clusters).where(inArray(clusters.clusteringKey, part))
      .orderBy(asc(clusters.clusteringKey), asc(clusters.cluster)));
  }
  return groupClusters(clusteringKeys, parts.flat());
}

/** Store.listClusterDocuments for PostgreSQL. */
export async function listClusterDocuments(db: PgDb, clusteringKey: number, members: readonly number[], page: PageRequest): Promise<DocumentRow[]> {
  return db.select(documentColumns).from(clusterAssignments)
    .innerJoin(documents, eq(documents.key, clusterAssignments.documentKey))
    .where(liveClusterMembers(clusterAssignments, documents, clusteringKey, members, page.afterKey))
    .orderBy(asc(clusterAssignments.documentKey)).limit(page.first);
}

/** Store.countClusterDocuments for PostgreSQL. */
export async function countClusterDocuments(db: PgDb, clusteringKey: number, members: readonly number[]): Promise<number> {
  const [row] = await db.select({ n: count() }).from(clusterAssignments)
    .innerJoin(documents, eq(documents.key, clusterAssignments.documentKey))
    .where(liveClusterMembers(clusterAssignments, documents, clusteringKey, members));
  return row?.n ?? 0;
}
