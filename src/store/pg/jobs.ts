/** Jobs on PostgreSQL. */
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { claimableJobs, leaseFree } from '../conditions.js';
import { newJobValues, toJobRow, UNFINISHED } from '../rows.js';
import type { JobClaim, JobRow, JobStore } from '../types.js';
import type { PgDb } from './db.js';
import { jobs } from './schema.js';

/** Store.createJob for PostgreSQL. */
export async function createJob(db: PgDb, job: Parameters<JobStore['createJob']>[0]): Promise<JobRow> {
  const [row] = await db.insert(jobs).values(newJobValues(job, new Date())).returning();
  return toJobRow(row!);
}

/** Store.updateJob for PostgreSQL. */
export async function updateJob(db: PgDb, id: string, patch: Parameters<JobStore['updateJob']>[1]): Promise<void> {
  await db.update(jobs).set({ ...patch, updatedAt: new Date() }).where(eq(jobs.id, id));
}

/** Store.getJob for PostgreSQL. */
export async function getJob(db: PgDb, id: string): Promise<JobRow | null> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row ? toJobRow(row) : null;
}

/** Store.failStaleJobs for PostgreSQL. */
export async function failStaleJobs(db: PgDb, kind: string, staleBefore: Date, error: string): Promise<string[]> {
  const rows = await db.update(jobs).set({ status: 'FAILED', error, updatedAt: new Date() })
    .where(and(eq(jobs.kind, kind), inArray(jobs.status, UNFINISHED), lt(jobs.updatedAt, staleBefore), leaseFree(jobs, new Date())))
    .returning({ id: jobs.id });
  return rows.map((r) => r.id);
}

/**
 * Store.claimJobs for PostgreSQL: one statement whose pick locks its rows FOR UPDATE SKIP LOCKED,
 * so a row another transaction holds (being claimed, updated or deleted) is skipped, not waited for.
 */
export async function claimJobs(db: PgDb, c: JobClaim): Promise<JobRow[]> {
  const pick = db.select({ id: jobs.id }).from(jobs).where(claimableJobs(jobs, c)).orderBy(asc(jobs.createdAt), asc(jobs.id)).limit(c.limit)
    .for('update', { skipLocked: true });
  const rows = await db.update(jobs)
    .set({ owner: c.owner, leaseUntil: c.leaseUntil, attempts: sql`${jobs.attempts} + 1`, updatedAt: new Date() })
    .where(inArray(jobs.id, pick)).returning();
  return rows.map(toJobRow).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Store.renewJobLeases for PostgreSQL. */
export async function renewJobLeases(db: PgDb, owner: string, leaseUntil: Date): Promise<string[]> {
  const rows = await db.update(jobs).set({ leaseUntil, updatedAt: new Date() })
    .where(and(eq(jobs.owner, owner), inArray(jobs.status, UNFINISHED)))
    .returning({ id: jobs.id });
  return rows.map((r) => r.id);
}
