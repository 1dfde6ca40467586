/**
 * Module migrations on SQLite (api/module-migration.ts). Every binding change and every vector
 * write is one IMMEDIATE transaction: SQLite has one writer, so a swap and an upsert never
 * interleave, and the upsert's own check of the binding (binding.ts) sees the swap or precedes it.
 */
import { and, asc, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { invariant, notFound } from '../../errors.js';
import { checkMigrationStart, migrationRunning, staleForModule, swappedBinding } from '../binding.js';
import { COLLECTION_MISSING, newJobValues, toCollectionRow, toJobRow, UNFINISHED } from '../rows.js';
import type { CollectionRow, JobStatus, ModuleBinding, ModuleVectorWrite, NewJob, StaleDocument, SwapOutcome } from '../types.js';
import { chunk } from '../upsert-plan.js';
import type { SqliteConn } from './conn.js';
import type { SqliteDb } from './db.js';
import { collections, documents, jobs, vectors } from './schema.js';

type Patch = Partial<typeof collections.$inferInsert>;

/** The collection row, or NOT_FOUND. */
function collectionOf(db: SqliteDb, collectionKey: number): CollectionRow {
  const row = db.select().from(collections).where(eq(collections.key, collectionKey)).get();
  if (!row) throw notFound(COLLECTION_MISSING);
  return toCollectionRow(row);
}

/** Applies `patch` to the collection with its binding version bumped; returns the row as it is now. */
function rebind(db: SqliteDb, collectionKey: number, patch: Patch): CollectionRow {
  const row = db.update(collections).set({ ...patch, bindingVersion: sql`${collections.bindingVersion} + 1` })
    .where(eq(collections.key, collectionKey)).returning().get();
  return toCollectionRow(row!);
}

/** Store.startMigration for SQLite. */
export function startMigration({ client, db }: SqliteConn, collectionKey: number, from: string, target: ModuleBinding, job: NewJob) {
  return client.transaction(() => {
    checkMigrationStart(collectionOf(db, collectionKey), from, target);
    const created = db.insert(jobs).values(newJobValues(job, new Date())).returning().get();
    const collection = rebind(db, collectionKey, { migration: { job: job.id, target, dualWrite: false } });
    return { collection, job: toJobRow(created) };
  }).immediate();
}

/** Store.staleDocuments for SQLite. */
export function staleDocuments({ db }: SqliteConn, collectionKey: number, module: string, afterKey: number, limit: number): StaleDocument[] {
  return db.select({ key: documents.key, text: documents.text, contentHash: documents.contentHash }).from(documents)
    .leftJoin(vectors, and(eq(vectors.documentKey, documents.key), eq(vectors.moduleSha256, module)))
    .where(staleForModule(documents, vectors, collectionKey, afterKey))
    .orderBy(asc(documents.key)).limit(limit).all();
}

/** Store.countStale for SQLite. */
export function countStale({ db }: SqliteConn, collectionKey: number, module: string): number {
  return db.select({ n: count() }).from(documents)
    .leftJoin(vectors, and(eq(vectors.documentKey, documents.key), eq(vectors.moduleSha256, module)))
    .where(staleForModule(documents, vectors, collectionKey)).get()?.n ?? 0;
}

/** Store.writeModuleVectors for SQLite. */
export function writeModuleVectors({ db, writes: w }: SqliteConn, collectionKey: number, job: string, module: string, rows: ModuleVectorWrite[]): number | null {
  return w.immediate(() => {
    const c = w.target(collectionKey);
    if (c?.migration?.job !== job) return null;
    const { target } = c.migration;
    invariant(target.sha256 === module, `migration ${job} embeds for ${target.sha256}, not ${module}`);
    const hashes = new Map<number, string>();
    for (const part of chunk(rows.map((r) => r.key))) {
      for (const d of db.select({ key: documents.key, hash: documents.contentHash }).from(documents)
        .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.key, part), isNull(documents.deletedAt))).all()) hashes.set(d.key, d.hash);
    }
    const fresh = rows.filter((r) => hashes.get(r.key) === r.contentHash);
    for (const r of fresh) invariant(r.vector.length === target.dims, `vector of document ${r.key} has ${r.vector.length} dims, ${target.name} has ${target.dims}`);
    if (fresh.length === 0) return 0;
    const first = w.allocateSeq(fresh.length);
    w.vectors(collectionKey, fresh.map((r, i) => ({ key: r.key, module, seq: first + i, contentHash: r.contentHash, vector: r.vector })));
    return fresh.length;
  });
}

/** Store.enableDualWrite for SQLite. */
export function enableDualWrite({ client, db }: SqliteConn, collectionKey: number, job: string): CollectionRow | null {
  return client.transaction(() => {
    const c = collectionOf(db, collectionKey);
    if (c.migration?.job !== job) return null;
    return rebind(db, collectionKey, { migration: { ...c.migration, dualWrite: true } });
  }).immediate();
}

/** Store.swapModule for SQLite. */
export function swapModule(conn: SqliteConn, collectionKey: number, job: string, result: Record<string, unknown>): SwapOutcome | null {
  const { client, db } = conn;
  return client.transaction((): SwapOutcome | null => {
    const c = collectionOf(db, collectionKey);
    if (c.migration?.job !== job) return null;
    const stale = countStale(conn, collectionKey, c.migration.target.sha256);
    if (stale > 0) return { swapped: false, stale };
    const collection = rebind(db, collectionKey, swappedBinding(c));
    db.update(jobs).set({ result, updatedAt: new Date() }).where(eq(jobs.id, job)).run();
    return { swapped: true, collection };
  }).immediate();
}

/** Store.endMigration for SQLite. */
export function endMigration({ client, db }: SqliteConn, job: string, status: Extract<JobStatus, 'FAILED' | 'CANCELLED'>, error: string | null): CollectionRow | null {
  return client.transaction(() => {
    db.update(jobs).set({ status, error, updatedAt: new Date() }).where(and(eq(jobs.id, job), inArray(jobs.status, UNFINISHED))).run();
    const row = db.select({ key: collections.key }).from(collections).where(sql`json_extract(${collections.migration}, '$.job') = ${job}`).get();
    return row ? rebind(db, row.key, { migration: null }) : null;
  }).immediate();
}

/** Store.dropPreviousVectors for SQLite. */
export function dropPreviousVectors({ client, db }: SqliteConn, collectionKey: number): { collection: CollectionRow; dropped: number } | null {
  return client.transaction(() => {
    const c = collectionOf(db, collectionKey);
    if (c.migration) throw migrationRunning(c);
    const dropped = db.delete(vectors).where(and(eq(vectors.collectionKey, collectionKey), ne(vectors.moduleSha256, c.module.sha256))).run().changes;
    if (dropped === 0 && !c.previousModule) return null;
    return { collection: rebind(db, collectionKey, { previousModule: null }), dropped };
  }).immediate();
}
