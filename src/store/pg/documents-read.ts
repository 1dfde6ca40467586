/** Document and vector reads on PostgreSQL; "live" means deleted_at IS NULL. */
import { and, asc, count, eq, gt, inArray, isNotNull, max, min, sql, type SQL } from 'drizzle-orm';
import { liveDocuments } from '../conditions.js';
import type { Filter } from '../filter-ast.js';
import type { Change, ChangeLag, DocumentRow, PageRequest } from '../types.js';
import { chunk } from '../upsert-plan.js';
import { bytesToVector } from '../vector-bytes.js';
import { documentColumns, type PgDb } from './db.js';
import { compileFilter } from './filter.js';
import { documents, vectors as vectorTable } from './schema.js';

function live(collectionKey: number, filter: Filter | null, afterKey?: number): SQL | undefined {
  return liveDocuments(documents, collectionKey, filter ? compileFilter(filter) : undefined, afterKey);
}

/** Live documents for `wanted` values of `column`, returned in the order of `wanted`, null where absent. */
async function documentsBy<K extends string | number>(
  db: PgDb, collectionKey: number, column: typeof documents.id | typeof documents.key, wanted: readonly K[],
): Promise<(DocumentRow | null)[]> {
  const found = new Map<K, DocumentRow>();
  for (const part of chunk([...new Set(wanted)])) {
    const rows = await db.select(documentColumns).from(documents)
      .where(and(live(collectionKey, null), inArray(column, part)));
    for (const r of rows) found.set((column === documents.id ? r.id : r.key) as K, r);
  }
  return wanted.map((k) => found.get(k) ?? null);
}

/** Store.getDocumentsByIds for PostgreSQL. */
export function getDocumentsByIds(db: PgDb, collectionKey: number, ids: string[]): Promise<(DocumentRow | null)[]> {
  return documentsBy(db, collectionKey, documents.id, ids);
}

/** Store.getDocumentsByKeys for PostgreSQL. */
export function getDocumentsByKeys(db: PgDb, collectionKey: number, keys: number[]): Promise<(DocumentRow | null)[]> {
  return documentsBy(db, collectionKey, documents.key, keys);
}

/** Store.listDocuments for PostgreSQL. */
export async function listDocuments(db: PgDb, collectionKey: number, filter: Filter | null, page: PageRequest): Promise<DocumentRow[]> {
  return db.select(documentColumns).from(documents)
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first);
}

/** Store.countDocuments for PostgreSQL. */
export async function countDocuments(db: PgDb, collectionKey: number, filter: Filter | null = null): Promise<number> {
  const [row] = await db.select({ n: count() }).from(documents).where(live(collectionKey, filter));
  return row?.n ?? 0;
}

/** Store.countDeleted for PostgreSQL. */
export async function countDeleted(db: PgDb, collectionKey: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(documents)
    .where(and(eq(documents.collectionKey, collectionKey), isNotNull(documents.deletedAt)));
  return row?.n ?? 0;
}

/** Store.vectorsByContentHash for PostgreSQL. */
export async function vectorsByContentHash(db: PgDb, collectionKey: number, hashes: string[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const part of chunk([...new Set(hashes)])) {
    const rows = await db.selectDistinctOn([documents.contentHash], { hash: documents.contentHash, vector: vectorTable.vector })
      .from(documents)
      .innerJoin(vectorTable, eq(vectorTable.documentKey, documents.key))
      .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.contentHash, part)));
    for (const r of rows) out.set(r.hash, bytesToVector(r.vector));
  }
  return out;
}

/** Store.vectors for PostgreSQL. */
export async function vectors(db: PgDb, collectionKey: number, filter: Filter | null, page: PageRequest) {
  const rows = await db.select({ key: documents.key, vector: vectorTable.vector }).from(documents)
    .innerJoin(vectorTable, eq(vectorTable.documentKey, documents.key))
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first);
  return rows.map((r) => ({ key: r.key, vector: bytesToVector(r.vector) }));
}

/** Store.vectorsWithMetadata for PostgreSQL. */
export async function vectorsWithMetadata(db: PgDb, collectionKey: number, filter: Filter | null, page: PageRequest) {
  const rows = await db.select({ key: documents.key, metadata: documents.metadata, vector: vectorTable.vector }).from(documents)
    .innerJoin(vectorTable, eq(vectorTable.documentKey, documents.key))
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first);
  return rows.map((r) => ({ key: r.key, metadata: r.metadata ?? null, vector: bytesToVector(r.vector) }));
}

/** Store.changesSince for PostgreSQL. */
export async function changesSince(db: PgDb, collectionKey: number, afterSeq: number, limit: number): Promise<Change[]> {
  const rows = await db.select({ key: documents.key, seq: documents.seq, deletedAt: documents.deletedAt, vector: vectorTable.vector })
    .from(documents)
    .leftJoin(vectorTable, eq(vectorTable.documentKey, documents.key))
    .where(and(eq(documents.collectionKey, collectionKey), gt(documents.seq, afterSeq)))
    .orderBy(asc(documents.seq)).limit(limit);
  return rows.map((r) => {
    const deleted = r.deletedAt !== null;
    return { key: r.key, seq: r.seq, deleted, vector: deleted || !r.vector ? null : bytesToVector(r.vector) };
  });
}

/** Store.changeLag for PostgreSQL. */
export async function changeLag(db: PgDb, collectionKey: number, afterSeq: number): Promise<ChangeLag> {
  const [row] = await db.select({ n: count(), top: max(documents.seq), oldest: min(documents.updatedAt) })
    .from(documents).where(and(eq(documents.collectionKey, collectionKey), gt(documents.seq, afterSeq)));
  return { storeSeq: Math.max(afterSeq, row?.top ?? 0), behind: row?.n ?? 0, oldestAt: row?.oldest ?? null };
}

/** Store.maxSeq for PostgreSQL. */
export async function maxSeq(db: PgDb, collectionKey: number): Promise<number> {
  const [row] = await db.select({ seq: sql<number>`coalesce(max(${documents.seq}), 0)`.mapWith(Number) })
    .from(documents).where(eq(documents.collectionKey, collectionKey));
  return row?.seq ?? 0;
}
