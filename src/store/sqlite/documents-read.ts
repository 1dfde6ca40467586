/** Document and vector reads on SQLite; "live" means deleted_at IS NULL. */
import { and, asc, count, eq, gt, inArray, isNull, isNotNull, max, type SQL } from 'drizzle-orm';
import type { Filter } from '../filter-ast.js';
import type { Change, DocumentRow, PageRequest } from '../types.js';
import { chunk } from '../upsert-plan.js';
import { bytesToVector } from '../vector-bytes.js';
import { documentColumns, type SqliteDb } from './db.js';
import { compileFilter } from './filter.js';
import { documents, vectors } from './schema.js';

function live(collectionKey: number, filter: Filter | null, afterKey?: number): SQL | undefined {
  return and(
    eq(documents.collectionKey, collectionKey),
    isNull(documents.deletedAt),
    afterKey === undefined ? undefined : gt(documents.key, afterKey),
    filter ? compileFilter(filter) : undefined,
  );
}

/** Store.listDocuments for SQLite. */
export function listDocuments(db: SqliteDb, collectionKey: number, filter: Filter | null, page: PageRequest): DocumentRow[] {
  return db.select(documentColumns).from(documents)
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first).all();
}

/** Store.countDocuments for SQLite. */
export function countDocuments(db: SqliteDb, collectionKey: number, filter: Filter | null): number {
  return db.select({ n: count() }).from(documents).where(live(collectionKey, filter)).get()?.n ?? 0;
}

/** Store.countDeleted for SQLite. */
export function countDeleted(db: SqliteDb, collectionKey: number): number {
  return db.select({ n: count() }).from(documents)
    .where(and(eq(documents.collectionKey, collectionKey), isNotNull(documents.deletedAt))).get()?.n ?? 0;
}

/** Store.vectorsByContentHash for SQLite. */
export function vectorsByContentHash(db: SqliteDb, collectionKey: number, hashes: string[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const part of chunk([...new Set(hashes)])) {
    const rows = db.select({ hash: documents.contentHash, vector: vectors.vector }).from(documents)
      .innerJoin(vectors, eq(vectors.documentKey, documents.key))
      .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.contentHash, part))).all();
    for (const r of rows) if (!out.has(r.hash)) out.set(r.hash, bytesToVector(r.vector));
  }
  return out;
}

/** Store.vectors for SQLite. */
export function liveVectors(db: SqliteDb, collectionKey: number, filter: Filter | null, page: PageRequest) {
  return db.select({ key: documents.key, vector: vectors.vector }).from(documents)
    .innerJoin(vectors, eq(vectors.documentKey, documents.key))
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first).all()
    .map((r) => ({ key: r.key, vector: bytesToVector(r.vector) }));
}

/** Store.changesSince for SQLite. */
export function changesSince(db: SqliteDb, collectionKey: number, afterSeq: number, limit: number): Change[] {
  return db.select({ key: documents.key, seq: documents.seq, deletedAt: documents.deletedAt, vector: vectors.vector })
    .from(documents)
    .leftJoin(vectors, eq(vectors.documentKey, documents.key))
    .where(and(eq(documents.collectionKey, collectionKey), gt(documents.seq, afterSeq)))
    .orderBy(asc(documents.seq)).limit(limit).all()
    .map((r) => {
      const deleted = r.deletedAt !== null;
      return { key: r.key, seq: r.seq, deleted, vector: deleted || !r.vector ? null : bytesToVector(r.vector) };
    });
}

/** Store.maxSeq for SQLite. */
export function maxSeq(db: SqliteDb, collectionKey: number): number {
  return db.select({ seq: max(documents.seq) }).from(documents).where(eq(documents.collectionKey, collectionKey)).get()?.seq ?? 0;
}
