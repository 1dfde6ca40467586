/** Jobs on SQLite. */
import { and, eq, inArray, lt } from 'drizzle-orm';
import { newJobValues, toJobRow, UNFINISHED } from '../rows.js';
import type { JobRow, JobStore } from '../types.js';
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
    .where(and(eq(jobs.kind, kind), inArray(jobs.status, UNFINISHED), lt(jobs.updatedAt, staleBefore)))
    .returning({ id: jobs.id }).all().map((r) => r.id);
}
