/**
 * Module migrations on PostgreSQL (api/module-migration.ts). A binding change takes the
 * collection's writer lock (the advisory lock every document write takes first) and its row
 * FOR UPDATE, so it waits for the writes in flight (they hold FOR SHARE) and the writes after it
 * see the new binding in their own check (binding.ts). Each change sends a `binding` notice, and
 * each vector write a `documents` notice, in its transaction.
 */
import { and, asc, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { invariant, notFound } from '../../errors.js';
import { checkMigrationStart, migrationRunning, staleForModule, swappedBinding } from '../binding.js';
import { COLLECTION_MISSING, newJobValues, toCollectionRow, toJobRow, UNFINISHED } from '../rows.js';
import type { CollectionRow, JobStatus, ModuleBinding, ModuleVectorWrite, NewJob, StaleDocument, SwapOutcome } from '../types.js';
import { chunk } from '../upsert-plan.js';
import { NEXT_SEQ, notifyChange, type PgDb, type PgTx } from './db.js';
import { lockCollection, writeVectors } from './documents-write.js';
import { collections, documents, jobs, vectors } from './schema.js';

type Patch = Partial<typeof collections.$inferInsert>;

/** Takes the collection's writer lock and its row FOR UPDATE; NOT_FOUND when it is gone. */
async function lockedCollection(tx: PgTx, collectionKey: number): Promise<CollectionRow> {
  await lockCollection(tx, collectionKey);
  const [row] = await tx.select().from(collections).where(eq(collections.key, collectionKey)).for('update');
  if (!row) throw notFound(COLLECTION_MISSING);
  return toCollectionRow(row);
}

/** Applies `patch` with the binding version bumped and tells every process; returns the row as it is now. */
async function rebind(tx: PgTx, collectionKey: number, patch: Patch): Promise<CollectionRow> {
  const [row] = await tx.update(collections).set({ ...patch, bindingVersion: sql`${collections.bindingVersion} + 1` })
    .where(eq(collections.key, collectionKey)).returning();
  const collection = toCollectionRow(row!);
  await notifyChange(tx, { kind: 'binding', collectionKey, version: collection.bindingVersion });
  return collection;
}

/** Store.startMigration for PostgreSQL. */
export async function startMigration(db: PgDb, collectionKey: number, from: string, target: ModuleBinding, job: NewJob) {
  return db.transaction(async (tx) => {
    checkMigrationStart(await lockedCollection(tx, collectionKey), from, target);
    const [created] = await tx.insert(jobs).values(newJobValues(job, new Date())).returning();
    const collection = await rebind(tx, collectionKey, { migration: { job: job.id, target, dualWrite: false } });
    return { collection, job: toJobRow(created!) };
  });
}

/** Store.staleDocuments for PostgreSQL. */
export async function staleDocuments(db: PgDb, collectionKey: number, module: string, afterKey: number, limit: number): Promise<StaleDocument[]> {
  return db.select({ key: documents.key, text: documents.text, contentHash: documents.contentHash }).from(documents)
    .leftJoin(vectors, and(eq(vectors.documentKey, documents.key), eq(vectors.moduleSha256, module)))
    .where(staleForModule(documents, vectors, collectionKey, afterKey))
    .orderBy(asc(documents.key)).limit(limit);
}

/** Store.countStale for PostgreSQL. */
export async function countStale(db: PgDb | PgTx, collectionKey: number, module: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(documents)
    .leftJoin(vectors, and(eq(vectors.documentKey, documents.key), eq(vectors.moduleSha256, module)))
    .where(staleForModule(documents, vectors, collectionKey));
  return row?.n ?? 0;
}

/** Store.writeModuleVectors for PostgreSQL: one nextval per vector, under the writer lock. */
export async function writeModuleVectors(db: PgDb, collectionKey: number, job: string, module: string, rows: ModuleVectorWrite[]): Promise<number | null> {
  return db.transaction(async (tx) => {
    await lockCollection(tx, collectionKey);
    const [c] = await tx.select({ migration: collections.migration }).from(collections).where(eq(collections.key, collectionKey)).for('share');
    if (c?.migration?.job !== job) return null;
    const { target } = c.migration;
    invariant(target.sha256 === module, `migration ${job} embeds for ${target.sha256}, not ${module}`);
    const hashes = new Map<number, string>();
    for (const part of chunk(rows.map((r) => r.key))) {
      const live = await tx.select({ key: documents.key, hash: documents.contentHash }).from(documents)
        .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.key, part), isNull(documents.deletedAt)));
      for (const d of live) hashes.set(d.key, d.hash);
    }
    const fresh = rows.filter((r) => hashes.get(r.key) === r.contentHash).sort((a, b) => a.key - b.key);
    for (const r of fresh) invariant(r.vector.length === target.dims, `vector of document ${r.key} has ${r.vector.length} dims, ${target.name} has ${target.dims}`);
    if (fresh.length === 0) return 0;
    const seqs = (await tx.execute<{ seq: string }>(sql`select ${NEXT_SEQ} as seq from generate_series(1, ${fresh.length})`)).rows
      .map((r) => Number(r.seq)).sort((x, y) => x - y);
    for (const part of chunk(fresh.map((r, i) => ({ key: r.key, module, seq: seqs[i]!, contentHash: r.contentHash, vector: r.vector })))) {
      await writeVectors(tx, collectionKey, part);
    }
    await notifyChange(tx, { kind: 'documents', collectionKey, seq: seqs.at(-1)! });
    return fresh.length;
  });
}

/** Store.enableDualWrite for PostgreSQL. */
export async function enableDualWrite(db: PgDb, collectionKey: number, job: string): Promise<CollectionRow | null> {
  return db.transaction(async (tx) => {
    const c = await lockedCollection(tx, collectionKey);
    if (c.migration?.job !== job) return null;
    return rebind(tx, collectionKey, { migration: { ...c.migration, dualWrite: true } });
  });
}

/** Store.swapModule for PostgreSQL. */
export async function swapModule(db: PgDb, collectionKey: number, job: string, result: Record<string, unknown>): Promise<SwapOutcome | null> {
  return db.transaction(async (tx): Promise<SwapOutcome | null> => {
    const c = await lockedCollection(tx, collectionKey);
    if (c.migration?.job !== job) return null;
    const stale = await countStale(tx, collectionKey, c.migration.target.sha256);
    if (stale > 0) return { swapped: false, stale };
    const collection = await rebind(tx, collectionKey, swappedBinding(c));
    await tx.update(jobs).set({ result, updatedAt: new Date() }).where(eq(jobs.id, job));
    return { swapped: true, collection };
  });
}

/** Store.endMigration for PostgreSQL. */
export async function endMigration(db: PgDb, job: string, status: Extract<JobStatus, 'FAILED' | 'CANCELLED'>, error: string | null): Promise<CollectionRow | null> {
  return db.transaction(async (tx) => {
    await tx.update(jobs).set({ status, error, updatedAt: new Date() }).where(and(eq(jobs.id, job), inArray(jobs.status, UNFINISHED)));
    const [row] = await tx.select({ key: collections.key }).from(collections).where(sql`${collections.migration}->>'job' = ${job}`);
    if (!row) return null;
    const c = await lockedCollection(tx, row.key);
    return c.migration?.job === job ? rebind(tx, row.key, { migration: null }) : null;
  });
}

/** Store.dropPreviousVectors for PostgreSQL. */
export async function dropPreviousVectors(db: PgDb, collectionKey: number): Promise<{ collection: CollectionRow; dropped: number } | null> {
  return db.transaction(async (tx) => {
    const c = await lockedCollection(tx, collectionKey);
    if (c.migration) throw migrationRunning(c);
    const gone = await tx.delete(vectors).where(and(eq(vectors.collectionKey, collectionKey), ne(vectors.moduleSha256, c.module.sha256)));
    const dropped = gone.rowCount ?? 0;
    if (dropped === 0 && !c.previousModule) return null;
    return { collection: await rebind(tx, collectionKey, { previousModule: null }), dropped };
  });
}
