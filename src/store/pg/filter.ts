/**
 * Compiles a metadata Filter (store/filter-ast.ts) to a PostgreSQL boolean expression over
 * `documents.metadata` (jsonb), with exactly the meaning of `matches()`:
 * - the value is `jsonb_path_query_first(metadata, 'strict $."a"."b"', '{}', true)`: strict mode
 *   with errors silenced, so a dotted key walks object members only (never into arrays, as `#>`
 *   and lax mode would) and a missing member is SQL NULL;
 * - equality is jsonb = jsonb, which is typed (5 is not "5", true is not 1) and numeric (5 = 5.0);
 *   a missing key reads as JSON null, so `{k: null}` matches missing or null and `ne` = NOT eq;
 * - gt/gte/lt/lte hold only between two numbers (numeric) or two strings (COLLATE "C": code point
 *   order, whatever the database collation); CASE guards each cast.
 * Every leaf is total (true or false, never NULL). The JSON path and operands are bound parameters.
 */
import { sql, type SQL } from 'drizzle-orm';
import { ORDER_OPERATOR } from '../conditions.js';
import type { Comparison, Filter, Scalar } from '../filter-ast.js';
import { documents } from './schema.js';

/** The strict SQL/JSON path of a dotted filter key, each member quoted. */
function pgPath(key: string): string {
  return 'strict $' + key.split('.').map((part) => `."${part}"`).join('');
}

const valueOf = (key: string) =>
  sql`jsonb_path_query_first(${documents.metadata}, ${pgPath(key)}::jsonpath, '{}'::jsonb, true)`;
const orNull = (key: string) => sql`coalesce(${valueOf(key)}, 'null'::jsonb)`;
const json = (v: Scalar) => sql`${JSON.stringify(v)}::jsonb`;

function ordered(key: string, cmp: Exclude<Comparison, 'eq' | 'ne'>, v: number | string): SQL {
  const value = valueOf(key);
  if (typeof v === 'number') {
    return sql`(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric ${ORDER_OPERATOR[cmp]} ${String(v)}::numeric ELSE false END)`;
  }
  return sql`(CASE WHEN jsonb_typeof(${value}) = 'string' THEN ((${value}) #>> '{}') COLLATE "C" ${ORDER_OPERATOR[cmp]} ${v}::text ELSE false END)`;
}

/** The SQL condition for `filter` (TRUE when null). */
export function compileFilter(filter: Filter | null): SQL {
  if (!filter) return sql`true`;
  switch (filter.op) {
    case 'and':
    case 'or':
      return sql`(${sql.join(filter.children.map(compileFilter), sql.raw(filter.op === 'and' ? ' AND ' : ' OR '))})`;
    case 'in':
      return sql`(${orNull(filter.key)} IN (${sql.join(filter.values.map(json), sql`, `)}))`;
    case 'cmp': {
      if (filter.cmp === 'eq') return sql`(${orNull(filter.key)} = ${json(filter.value)})`;
      if (filter.cmp === 'ne') return sql`(${orNull(filter.key)} <> ${json(filter.value)})`;
      const v = filter.value;
      if (typeof v !== 'number' && typeof v !== 'string') return sql`false`;
      return ordered(filter.key, filter.cmp, v);
    }
  }
}
