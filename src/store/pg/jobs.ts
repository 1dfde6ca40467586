/** Jobs on PostgreSQL. */
import { and, eq, inArray, lt } from 'drizzle-orm';
import { newJobValues, toJobRow, UNFINISHED } from '../rows.js';
import type { JobRow, JobStore } from '../types.js';
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
    .where(and(eq(jobs.kind, kind), inArray(jobs.status, UNFINISHED), lt(jobs.updatedAt, staleBefore)))
    .returning({ id: jobs.id });
  return rows.map((r) => r.id);
}
