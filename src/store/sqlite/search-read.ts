/**
 * The reads behind search on SQLite: vectors by key (a statement prepared once, hot-reads.ts), the
 * live keys a filter allows, and BM25 keyword search over each collection's FTS5 table
 * (keyword-index.ts: live documents only, kept in step by triggers in the same transaction as
 * each write).
 */
import { asc, sql } from 'drizzle-orm';
import { invariant } from '../../errors.js';
import { liveDocuments } from '../conditions.js';
import type { Filter } from '../filter-ast.js';
import { fts5Query, keywordTerms } from '../keyword-query.js';
import type { SqliteConn } from './conn.js';
import { compileFilter } from './filter.js';
import { keywordTable } from './keyword-index.js';
import { documents } from './schema.js';

/** Store.getVectorsByKeys for SQLite. */
export function getVectorsByKeys({ reads }: SqliteConn, collectionKey: number, module: string, keys: number[]): (Float32Array | null)[] {
  return reads.vectorsByKeys(collectionKey, module, keys);
}

/**
 * Store.documentKeys for SQLite. Built by drizzle, run on the raw connection with `pluck()` (one
 * number per row, no row objects): the unfiltered case is an index-only scan of
 * documents_live_key_idx; a filter is evaluated by SQLite's JSON functions, never in JS.
 */
export function documentKeys({ db, client }: SqliteConn, collectionKey: number, filter: Filter | null): Int32Array {
  const query = db.select({ key: documents.key }).from(documents)
    .where(liveDocuments(documents, collectionKey, filter ? compileFilter(filter) : undefined))
    .orderBy(asc(documents.key))
    .toSQL();
  const keys = client.prepare(query.sql).pluck().all(...query.params) as number[];
  const out = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    invariant(k <= 0x7fffffff, `document key ${k} does not fit the int32 allow-list`);
    out[i] = k;
  }
  return out;
}

/**
 * Store.keywordSearch for SQLite: the words of `query` ORed (each a quoted FTS5 string, so no
 * user text is ever FTS5 syntax), ranked by FTS5's bm25() negated (higher is better, > 0) over
 * the collection's own FTS5 table (keyword-index.ts), so the statistics are the collection's.
 * CROSS JOIN makes the FTS5 match the outer loop, so only matching rows reach the join and the filter.
 */
export function keywordSearch(
  { db }: SqliteConn, collectionKey: number, query: string, limit: number, filter: Filter | null,
): { key: number; score: number }[] {
  const terms = keywordTerms(query);
  if (terms.length === 0 || limit < 1) return [];
  const fts = sql.raw(keywordTable(collectionKey));
  return db.all<{ key: number; score: number }>(sql`
    SELECT ${documents.key} AS "key", -bm25(${fts}) AS "score"
    FROM ${fts} CROSS JOIN ${documents} ON ${documents.key} = ${fts}.rowid
    WHERE ${fts} MATCH ${fts5Query(terms)}
      AND ${documents.collectionKey} = ${collectionKey}
      AND ${documents.deletedAt} IS NULL
      AND ${filter ? compileFilter(filter) : sql`1`}
    ORDER BY bm25(${fts}), ${documents.key}
    LIMIT ${Math.floor(limit)}`);
}
