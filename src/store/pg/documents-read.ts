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

/** Store.vectorsByContentHash for PostgreSQL: through documents' (collection, content hash) index, the vector of `module` embedded from that text. */
export async function vectorsByContentHash(db: PgDb, collectionKey: number, module: string, hashes: string[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const part of chunk([...new Set(hashes)])) {
    const rows = await db.selectDistinctOn([documents.contentHash], { hash: documents.contentHash, vector: vectorTable.vector })
      .from(documents)
      .innerJoin(vectorTable, and(ofModule(module), eq(vectorTable.contentHash, documents.contentHash)))
      .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.contentHash, part)));
    for (const r of rows) out.set(r.hash, bytesToVector(r.vector));
  }
  return out;
}

/** The vector of `module` of each document (an inner join: documents without one are left out). */
export const ofModule = (module: string) => and(eq(vectorTable.documentKey, documents.key), eq(vectorTable.moduleSha256, module));

/** Store.vectors for PostgreSQL. */
export async function vectors(db: PgDb, collectionKey: number, module: string, filter: Filter | null, page: PageRequest) {
  const rows = await db.select({ key: documents.key, vector: vectorTable.vector }).from(documents)
    .innerJoin(vectorTable, ofModule(module))
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first);
  return rows.map((r) => ({ key: r.key, vector: bytesToVector(r.vector) }));
}

/** Store.vectorsWithMetadata for PostgreSQL. */
export async function vectorsWithMetadata(db: PgDb, collectionKey: number, module: string, filter: Filter | null, page: PageRequest) {
  const rows = await db.select({ key: documents.key, metadata: documents.metadata, vector: vectorTable.vector }).from(documents)
    .innerJoin(vectorTable, ofModule(module))
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first);
  return rows.map((r) => ({ key: r.key, metadata: r.metadata ?? null, vector: bytesToVector(r.vector) }));
}

/** Store.changesSince for PostgreSQL. */
export async function changesSince(db: PgDb, collectionKey: number, module: string, afterSeq: number, limit: number): Promise<Change[]> {
  const rows = await db.select({ key: vectorTable.documentKey, seq: vectorTable.seq, deletedAt: documents.deletedAt, vector: vectorTable.vector })
    .from(vectorTable)
    .innerJoin(documents, eq(documents.key, vectorTable.documentKey))
    .where(and(eq(vectorTable.collectionKey, collectionKey), eq(vectorTable.moduleSha256, module), gt(vectorTable.seq, afterSeq)))
    .orderBy(asc(vectorTable.seq)).limit(limit);
  return rows.map((r) => {
    const deleted = r.deletedAt !== null;
    return { key: r.key, seq: r.seq, deleted, vector: deleted ? null : bytesToVector(r.vector) };
  });
}

/** Store.changeLag for PostgreSQL: over the module's vectors (oldestAt: when their documents were last written). */
export async function changeLag(db: PgDb, collectionKey: number, module: string, afterSeq: number): Promise<ChangeLag> {
  const [row] = await db.select({ n: count(), top: max(vectorTable.seq), oldest: min(documents.updatedAt) })
    .from(vectorTable).innerJoin(documents, eq(documents.key, vectorTable.documentKey))
    .where(and(eq(vectorTable.collectionKey, collectionKey), eq(vectorTable.moduleSha256, module), gt(vectorTable.seq, afterSeq)));
  return { storeSeq: Math.max(afterSeq, row?.top ?? 0), behind: row?.n ?? 0, oldestAt: row?.oldest ?? null };
}

/** Store.maxSeq for PostgreSQL. */
export async function maxSeq(db: PgDb, collectionKey: number): Promise<number> {
  const [row] = await db.select({ seq: sql<number>`coalesce(max(${documents.seq}), 0)`.mapWith(Number) })
    .from(documents).where(eq(documents.collectionKey, collectionKey));
  return row?.seq ?? 0;
}
