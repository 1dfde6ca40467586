/** Jobs on SQLite. */
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { claimableJobs, leaseFree } from '../conditions.js';
import { newJobValues, toJobRow, UNFINISHED } from '../rows.js';
import type { JobClaim, JobRow, JobStore } from '../types.js';
import type { SqliteConn } from './conn.js';
import { jobs } from './schema.js';

/** Store.createJob for SQLite. */
export function createJob({ db }: SqliteConn, job: Parameters<JobStore['createJob']>[0]): JobRow {
  return toJobRow(db.insert(jobs).values(newJobValues(job, new Date())).returning().get());
}

/** Store.updateJob for SQLite. */
export function updateJob({ db }: SqliteConn, id: string, patch: Parameters<JobStore['updateJob']>[1]): void {
  db.update(jobs).set({ ...patch, updatedAt: new Date() }).where(eq(jobs.id, id)).run();
}

/** Store.getJob for SQLite. */
export function getJob({ db }: SqliteConn, id: string): JobRow | null {
  const row = db.select().from(jobs).where(eq(jobs.id, id)).get();
  return row ? toJobRow(row) : null;
}

/** Store.failStaleJobs for SQLite. */
export function failStaleJobs({ db }: SqliteConn, kind: string, staleBefore: Date, error: string): string[] {
  return db.update(jobs).set({ status: 'FAILED', error, updatedAt: new Date() })
    .where(and(eq(jobs.kind, kind), inArray(jobs.status, UNFINISHED), lt(jobs.updatedAt, staleBefore), leaseFree(jobs, new Date())))
    .returning({ id: jobs.id }).all().map((r) => r.id);
}

/** Store.claimJobs for SQLite: pick and claim in one IMMEDIATE transaction (the write lock first). */
export function claimJobs({ db }: SqliteConn, c: JobClaim): JobRow[] {
  return db.transaction((tx) => {
    const ids = tx.select({ id: jobs.id }).from(jobs).where(claimableJobs(jobs, c)).orderBy(asc(jobs.createdAt), asc(jobs.id)).limit(c.limit).all().map((r) => r.id);
    if (!ids.length) return [];
    const rows = tx.update(jobs)
      .set({ owner: c.owner, leaseUntil: c.leaseUntil, attempts: sql`${jobs.attempts} + 1`, updatedAt: new Date() })
      .where(inArray(jobs.id, ids)).returning().all().map(toJobRow);
    return ids.map((id) => rows.find((r) => r.id === id)!);
  }, { behavior: 'immediate' });
}

/** Store.renewJobLeases for SQLite. */
export function renewJobLeases({ db }: SqliteConn, owner: string, leaseUntil: Date): string[] {
  return db.update(jobs).set({ leaseUntil, updatedAt: new Date() })
    .where(and(eq(jobs.owner, owner), inArray(jobs.status, UNFINISHED)))
    .returning({ id: jobs.id }).all().map((r) => r.id);
}
