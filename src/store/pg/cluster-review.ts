/** The map and review state of clusterings on PostgreSQL (api/cluster-review.ts). */
import { and, asc, count, eq } from 'drizzle-orm';
import { livePoints } from '../conditions.js';
import { pointColumnsOf, reviewValues, toPointRow } from '../rows.js';
import type { ClusterPointRow, ClusterReviewPatch, PageRequest } from '../types.js';
import type { PgDb } from './db.js';
import { clusterAssignments, clusters, documents } from './schema.js';

const pointColumns = pointColumnsOf(clusterAssignments, documents);

/** Store.listClusterPoints for PostgreSQL. */
export async function listClusterPoints(db: PgDb, clusteringKey: number, page: PageRequest): Promise<ClusterPointRow[]> {
  const rows = await db.select(pointColumns).from(clusterAssignments)
    .innerJoin(documents, eq(documents.key, clusterAssignments.documentKey))
    .where(livePoints(clusterAssignments, documents, clusteringKey, page.afterKey))
    .orderBy(asc(clusterAssignments.documentKey)).limit(page.first);
  return rows.map(toPointRow);
}

/** Store.countClusterPoints for PostgreSQL. */
export async function countClusterPoints(db: PgDb, clusteringKey: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(clusterAssignments)
    .innerJoin(documents, eq(documents.key, clusterAssignments.documentKey))
    .where(livePoints(clusterAssignments, documents, clusteringKey));
  return row?.n ?? 0;
}

/** Store.reviewClusters for PostgreSQL: one transaction. */
export async function reviewClusters(db: PgDb, clusteringKey: number, patches: readonly ClusterReviewPatch[]): Promise<number> {
  return db.transaction(async (tx) => {
    let changed = 0;
    for (const p of patches) {
      const set = reviewValues(p);
      if (Object.keys(set).length === 0) continue;
      const rows = await tx.update(clusters).set(set).where(and(eq(clusters.clusteringKey, clusteringKey), eq(clusters.cluster, p.cluster))).returning({ cluster: clusters.cluster });
      changed += rows.length;
    }
    return changed;
  });
}
