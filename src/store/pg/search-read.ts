/**
 * The reads behind search on PostgreSQL: vectors by key, the live keys a filter allows, and
 * BM25-style keyword search over `documents.search_vector` (an english tsvector generated from
 * the text and GIN-indexed; see schema.ts).
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { invariant } from '../../errors.js';
import { liveDocuments } from '../conditions.js';
import type { Filter } from '../filter-ast.js';
import { keywordTerms } from '../keyword-query.js';
import { chunk, KEY_CHUNK } from '../upsert-plan.js';
import { bytesToVector } from '../vector-bytes.js';
import type { PgDb } from './db.js';
import { ofModule } from './documents-read.js';
import { compileFilter } from './filter.js';
import { documents, vectors } from './schema.js';

/** BM25 parameters: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;
/** A constant as a float8 literal (constants, never user input). */
const num = (x: number) => sql.raw(`${x}::float8`);

/** Store.getVectorsByKeys for PostgreSQL: in the order of `keys`, null where missing, deleted or without a vector of `module`. */
export async function getVectorsByKeys(db: PgDb, collectionKey: number, module: string, keys: readonly number[]): Promise<(Float32Array | null)[]> {
  const found = new Map<number, Float32Array>();
  for (const part of chunk([...new Set(keys)], KEY_CHUNK)) {
    const rows = await db.select({ key: documents.key, vector: vectors.vector }).from(documents)
      .innerJoin(vectors, ofModule(module))
      .where(and(eq(documents.collectionKey, collectionKey), isNull(documents.deletedAt), inArray(documents.key, part)));
    for (const r of rows) found.set(r.key, bytesToVector(r.vector));
  }
  return keys.map((k) => found.get(k) ?? null);
}

/**
 * Store.documentKeys for PostgreSQL. The keys come back as ONE comma-separated string
 * (string_agg), not one row object per key: 50k keys cost one row, one split and one typed-array
 * sort (cheaper than ORDER BY inside the aggregate, and than pg's array parser). Unfiltered, the
 * scan is index-only on documents_live_key_idx; a filter is evaluated by PostgreSQL, never in JS.
 */
export async function documentKeys(db: PgDb, collectionKey: number, filter: Filter | null): Promise<Int32Array> {
  const [row] = await db
    .select({ keys: sql<string | null>`string_agg(${documents.key}::text, ',')` })
    .from(documents)
    .where(liveDocuments(documents, collectionKey, filter ? compileFilter(filter) : undefined));
  if (!row?.keys) return new Int32Array(0);
  const parts = row.keys.split(',');
  const out = new Int32Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const k = Number(parts[i]);
    invariant(k <= 0x7fffffff, `document key ${k} does not fit the int32 allow-list`);
    out[i] = k;
  }
  return out.sort();
}

/**
 * Store.keywordSearch for PostgreSQL. The words of `query` (keyword-query.ts: no tsquery syntax
 * can get through) each become to_tsquery('english', word), which stems it or drops it as a stop
 * word; equal lexemes merge. Per term, the GIN index on search_vector finds the live documents
 * of the collection (within the filter) that hold it, and each match is scored with BM25
 * (k1 1.2, b 0.75), summed over the terms a document holds:
 *   tf   occurrences of the term: ts_rank_cd with unit weights and no normalisation (= the
 *        positions of the lexeme, which tsvector caps at 256), at least 1;
 *   idf  ln(1 + (N - df + 0.5) / (df + 0.5)), N = live documents of the collection, df = the
 *        matches of the term (within the filter when there is one), so rarer terms weigh more;
 *   dl   distinct lexemes of the document (length(tsvector)), against their mean over the matches.
 * Higher is better and always > 0 for a match.
 */
export async function keywordSearch(
  db: PgDb, collectionKey: number, query: string, limit: number, filter: Filter | null,
): Promise<{ key: number; score: number }[]> {
  const terms = keywordTerms(query);
  if (terms.length === 0 || limit < 1) return [];
  const live = and(eq(documents.collectionKey, collectionKey), isNull(documents.deletedAt));
  const result = await db.execute<{ key: string | number; score: number }>(sql`
    WITH terms AS MATERIALIZED (
      SELECT row_number() OVER () AS i, q
      FROM (SELECT DISTINCT to_tsquery('english'::regconfig, t) AS q
            FROM unnest(string_to_array(${terms.join(' ')}, ' ')) AS t) AS lexemes
      WHERE numnode(q) > 0
    ),
    hits AS MATERIALIZED (
      SELECT ${documents.key} AS key, terms.i AS i,
             length(${documents.searchVector})::float8 AS dl,
             greatest(ts_rank_cd('{1,1,1,1}'::float4[], ${documents.searchVector}, terms.q, 0), 1)::float8 AS tf
      FROM terms JOIN ${documents} ON ${documents.searchVector} @@ terms.q
      WHERE ${live} AND ${filter ? compileFilter(filter) : sql`true`}
    ),
    df AS (SELECT i, count(*)::float8 AS df FROM hits GROUP BY i),
    stats AS (
      SELECT (SELECT count(*) FROM ${documents} WHERE ${live})::float8 AS n,
             (SELECT greatest(avg(dl), 1) FROM hits)::float8 AS avgdl
    )
    SELECT hits.key AS key,
           sum(ln(1 + (stats.n - df.df + 0.5) / (df.df + 0.5))
               * hits.tf * ${num(K1 + 1)} / (hits.tf + ${num(K1)} * (${num(1 - B)} + ${num(B)} * hits.dl / stats.avgdl))) AS score
    FROM hits JOIN df ON df.i = hits.i CROSS JOIN stats
    GROUP BY hits.key
    ORDER BY score DESC, hits.key
    LIMIT ${Math.floor(limit)}`);
  return result.rows.map((r) => ({ key: Number(r.key), score: Number(r.score) }));
}
