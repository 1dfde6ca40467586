/** The map and review state of clusterings on SQLite (api/cluster-review.ts). */
import { and, asc, count, eq } from 'drizzle-orm';
import { livePoints } from '../conditions.js';
import { pointColumnsOf, reviewValues, toPointRow } from '../rows.js';
import type { ClusterPointRow, ClusterReviewPatch, PageRequest } from '../types.js';
import type { SqliteConn } from './conn.js';
import { clusterAssignments, clusters, documents } from './schema.js';

const pointColumns = pointColumnsOf(clusterAssignments, documents);

/** Store.listClusterPoints for SQLite. */
export function listClusterPoints({ db }: SqliteConn, clusteringKey: number, page: PageRequest): ClusterPointRow[] {
  return db.select(pointColumns).from(clusterAssignments)
    .innerJoin(documents, eq(documents.key, clusterAssignments.documentKey))
    .where(livePoints(clusterAssignments, documents, clusteringKey, page.afterKey))
    .orderBy(asc(clusterAssignments.documentKey)).limit(page.first).all().map(toPointRow);
}

/** Store.countClusterPoints for SQLite. */
export function countClusterPoints({ db }: SqliteConn, clusteringKey: number): number {
  return db.select({ n: count() }).from(clusterAssignments)
    .innerJoin(documents, eq(documents.key, clusterAssignments.documentKey))
    .where(livePoints(clusterAssignments, documents, clusteringKey)).get()?.n ?? 0;
}

/** Store.reviewClusters for SQLite: one IMMEDIATE transaction. */
export function reviewClusters({ db }: SqliteConn, clusteringKey: number, patches: readonly ClusterReviewPatch[]): number {
  return db.transaction((tx) => {
    let changed = 0;
    for (const p of patches) {
      const set = reviewValues(p);
      if (Object.keys(set).length === 0) continue;
      changed += tx.update(clusters).set(set).where(and(eq(clusters.clusteringKey, clusteringKey), eq(clusters.cluster, p.cluster))).run().changes;
    }
    return changed;
  }, { behavior: 'immediate' });
}
