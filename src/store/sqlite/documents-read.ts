/** Document and vector reads on SQLite; "live" means deleted_at IS NULL. */
import { and, asc, count, eq, gt, isNotNull, max, min, type SQL } from 'drizzle-orm';
import { liveDocuments } from '../conditions.js';
import type { Filter } from '../filter-ast.js';
import type { Change, ChangeLag, DocumentRow, PageRequest } from '../types.js';
import { bytesToVector } from '../vector-bytes.js';
import type { SqliteConn } from './conn.js';
import { documentColumns } from './db.js';
import { compileFilter } from './filter.js';
import { documents, vectors as vectorTable } from './schema.js';

function live(collectionKey: number, filter: Filter | null, afterKey?: number): SQL | undefined {
  return liveDocuments(documents, collectionKey, filter ? compileFilter(filter) : undefined, afterKey);
}

/** Store.getDocumentsByIds for SQLite (a statement prepared once, hot-reads.ts). */
export function getDocumentsByIds({ reads }: SqliteConn, collectionKey: number, ids: string[]): (DocumentRow | null)[] {
  return reads.documentsByIds(collectionKey, ids);
}

/** Store.getDocumentsByKeys for SQLite (a statement prepared once, hot-reads.ts). */
export function getDocumentsByKeys({ reads }: SqliteConn, collectionKey: number, keys: number[]): (DocumentRow | null)[] {
  return reads.documentsByKeys(collectionKey, keys);
}

/** Store.listDocuments for SQLite. */
export function listDocuments({ db }: SqliteConn, collectionKey: number, filter: Filter | null, page: PageRequest): DocumentRow[] {
  return db.select(documentColumns).from(documents)
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first).all();
}

/** Store.countDocuments for SQLite. */
export function countDocuments({ db }: SqliteConn, collectionKey: number, filter: Filter | null = null): number {
  return db.select({ n: count() }).from(documents).where(live(collectionKey, filter)).get()?.n ?? 0;
}

/** Store.countDeleted for SQLite. */
export function countDeleted({ db }: SqliteConn, collectionKey: number): number {
  return db.select({ n: count() }).from(documents)
    .where(and(eq(documents.collectionKey, collectionKey), isNotNull(documents.deletedAt))).get()?.n ?? 0;
}

/** Store.vectorsByContentHash for SQLite. */
export function vectorsByContentHash({ reads }: SqliteConn, collectionKey: number, module: string, hashes: string[]): Map<string, Float32Array> {
  return reads.vectorsByContentHash(collectionKey, module, hashes);
}

/** The vector of `module` of each document (an inner join: documents without one are left out). */
const ofModule = (module: string) => and(eq(vectorTable.documentKey, documents.key), eq(vectorTable.moduleSha256, module));

/** Store.vectors for SQLite. */
export function vectors({ db }: SqliteConn, collectionKey: number, module: string, filter: Filter | null, page: PageRequest) {
  return db.select({ key: documents.key, vector: vectorTable.vector }).from(documents)
    .innerJoin(vectorTable, ofModule(module))
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first).all()
    .map((r) => ({ key: r.key, vector: bytesToVector(r.vector) }));
}

/** Store.vectorsWithMetadata for SQLite. */
export function vectorsWithMetadata({ db }: SqliteConn, collectionKey: number, module: string, filter: Filter | null, page: PageRequest) {
  return db.select({ key: documents.key, metadata: documents.metadata, vector: vectorTable.vector }).from(documents)
    .innerJoin(vectorTable, ofModule(module))
    .where(live(collectionKey, filter, page.afterKey))
    .orderBy(asc(documents.key)).limit(page.first).all()
    .map((r) => ({ key: r.key, metadata: r.metadata ?? null, vector: bytesToVector(r.vector) }));
}

/** Store.changesSince for SQLite. */
export function changesSince({ reads }: SqliteConn, collectionKey: number, module: string, afterSeq: number, limit: number): Change[] {
  return reads.changesSince(collectionKey, module, afterSeq, limit);
}

/** Store.changeLag for SQLite: over the module's vectors (oldestAt: when their documents were last written). */
export function changeLag({ db }: SqliteConn, collectionKey: number, module: string, afterSeq: number): ChangeLag {
  const row = db.select({ n: count(), top: max(vectorTable.seq), oldest: min(documents.updatedAt) })
    .from(vectorTable).innerJoin(documents, eq(documents.key, vectorTable.documentKey))
    .where(and(eq(vectorTable.collectionKey, collectionKey), eq(vectorTable.moduleSha256, module), gt(vectorTable.seq, afterSeq))).get();
  return { storeSeq: Math.max(afterSeq, row?.top ?? 0), behind: row?.n ?? 0, oldestAt: row?.oldest ?? null };
}

/** Store.maxSeq for SQLite. */
export function maxSeq({ db }: SqliteConn, collectionKey: number): number {
  return db.select({ seq: max(documents.seq) }).from(documents).where(eq(documents.collectionKey, collectionKey)).get()?.seq ?? 0;
}
