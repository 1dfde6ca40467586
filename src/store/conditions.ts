/**
 * SQL conditions both dialects build alike: drizzle's operators are dialect-neutral and the two
 * schemas name their columns the same, so each condition takes the dialect's table.
 */
import { and, eq, gt, inArray, isNotNull, isNull, lt, or, sql, type Column, type SQL } from 'drizzle-orm';
import type { Comparison } from './filter-ast.js';
import { UNFINISHED } from './rows.js';
import type { JobClaim } from './types.js';

/** `column > afterKey` (keyset pagination), or no condition on the first page. */
export function after(column: Column, afterKey: number | undefined): SQL | undefined {
  return afterKey === undefined ? undefined : gt(column, afterKey);
}

/** The live documents of a collection, after `afterKey` (exclusive), within `filter` (compiled) when given. */
export function liveDocuments(
  documents: { key: Column; collectionKey: Column; deletedAt: Column }, collectionKey: number, filter?: SQL, afterKey?: number,
): SQL | undefined {
  return and(eq(documents.collectionKey, collectionKey), isNull(documents.deletedAt), after(documents.key, afterKey), filter);
}

/** The assignments to any of `clusters` of a clustering whose documents are live (joined), after `afterKey`. */
export function liveClusterMembers(
  assignments: { clusteringKey: Column; cluster: Column; documentKey: Column }, documents: { deletedAt: Column },
  clusteringKey: number, clusters: readonly number[], afterKey?: number,
): SQL | undefined {
  return and(
    eq(assignments.clusteringKey, clusteringKey),
    clusters.length === 1 ? eq(assignments.cluster, clusters[0]!) : inArray(assignments.cluster, [...clusters]),
    after(assignments.documentKey, afterKey),
    isNull(documents.deletedAt),
  );
}

/** The assignments of a clustering that have a place on its map, of live documents (joined), after `afterKey`. */
export function livePoints(
  assignments: { clusteringKey: Column; documentKey: Column; x: Column }, documents: { deletedAt: Column }, clusteringKey: number, afterKey?: number,
): SQL | undefined {
  return and(eq(assignments.clusteringKey, clusteringKey), isNotNull(assignments.x), after(assignments.documentKey, afterKey), isNull(documents.deletedAt));
}

/** Jobs whose lease does not hold at `now`: never claimed, or their owner stopped renewing it. */
export function leaseFree(jobs: { leaseUntil: Column }, now: Date): SQL {
  return or(isNull(jobs.leaseUntil), lt(jobs.leaseUntil, now))!;
}

/** The jobs `claim` may take: unfinished, of its kind (its one id, if given), lease free at `claim.now`. */
export function claimableJobs(jobs: { id: Column; kind: Column; status: Column; leaseUntil: Column }, claim: JobClaim): SQL | undefined {
  return and(
    eq(jobs.kind, claim.kind), inArray(jobs.status, UNFINISHED), claim.id === undefined ? undefined : eq(jobs.id, claim.id), leaseFree(jobs, claim.now),
  );
}

/** The SQL operator of each ordering comparison of a metadata filter (both filter compilers). */
export const ORDER_OPERATOR: Record<Exclude<Comparison, 'eq' | 'ne'>, SQL> = {
  gt: sql.raw('>'),
  gte: sql.raw('>='),
  lt: sql.raw('<'),
  lte: sql.raw('<='),
};
