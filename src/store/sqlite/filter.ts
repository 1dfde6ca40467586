/**
 * Compiles a metadata Filter (store/filter-ast.ts) to a SQLite boolean expression over
 * `documents.metadata`, with exactly the meaning of `matches()`:
 * - types are strict: json_type tells 'integer'/'real' from 'text' from 'true'/'false', so 5 is
 *   not "5" and true is not 1 (json_extract alone would turn true into 1);
 * - `{k: null}` is json_type NULL (missing) or 'null'; `ne` is NOT eq, so a missing key matches;
 * - gt/gte/lt/lte hold only between two numbers or two strings (BINARY collation: code point order);
 * - dotted keys are nested object members: the path `$."a"."b"` never indexes into arrays.
 * Every leaf is total (0 or 1, never NULL), so NOT, AND and OR behave as in JavaScript.
 * The JSON path and the operands are bound parameters.
 */
import { sql, type SQL } from 'drizzle-orm';
import { ORDER_OPERATOR } from '../conditions.js';
import type { Comparison, Filter, Scalar } from '../filter-ast.js';
import { documents } from './schema.js';

/** The SQLite JSON path of a dotted filter key, each member quoted. */
function sqlitePath(key: string): string {
  return '$' + key.split('.').map((part) => `."${part}"`).join('');
}

const typeOf = (path: string) => sql`coalesce(json_type(${documents.metadata}, ${path}), 'missing')`;
const valueOf = (path: string) => sql`json_extract(${documents.metadata}, ${path})`;
const NUMBER = sql.raw(`('integer', 'real')`);

function equals(path: string, v: Scalar): SQL {
  if (v === null) return sql`${typeOf(path)} IN ('missing', 'null')`;
  if (typeof v === 'boolean') return sql`${typeOf(path)} = ${v ? 'true' : 'false'}`;
  if (typeof v === 'number') return sql`(${typeOf(path)} IN ${NUMBER} AND ${valueOf(path)} = ${v})`;
  return sql`(${typeOf(path)} = 'text' AND ${valueOf(path)} = ${v})`;
}

function ordered(path: string, cmp: Exclude<Comparison, 'eq' | 'ne'>, v: number | string): SQL {
  const type = typeof v === 'number' ? NUMBER : sql.raw(`('text')`);
  return sql`(${typeOf(path)} IN ${type} AND ${valueOf(path)} ${ORDER_OPERATOR[cmp]} ${v})`;
}

function member(path: string, values: Scalar[]): SQL {
  const parts: SQL[] = [];
  const numbers = values.filter((v): v is number => typeof v === 'number');
  const strings = values.filter((v): v is string => typeof v === 'string');
  for (const special of [null, true, false]) {
    if (values.includes(special)) parts.push(equals(path, special));
  }
  const list = (xs: (number | string)[]) => sql.join(xs.map((x) => sql`${x}`), sql`, `);
  if (numbers.length) parts.push(sql`(${typeOf(path)} IN ${NUMBER} AND ${valueOf(path)} IN (${list(numbers)}))`);
  if (strings.length) parts.push(sql`(${typeOf(path)} = 'text' AND ${valueOf(path)} IN (${list(strings)}))`);
  return sql`(${sql.join(parts, sql` OR `)})`;
}

/** The SQL condition for `filter` (TRUE when null). */
export function compileFilter(filter: Filter | null): SQL {
  if (!filter) return sql`1`;
  switch (filter.op) {
    case 'and':
    case 'or':
      return sql`(${sql.join(filter.children.map(compileFilter), sql.raw(filter.op === 'and' ? ' AND ' : ' OR '))})`;
    case 'in':
      return member(sqlitePath(filter.key), filter.values);
    case 'cmp': {
      const path = sqlitePath(filter.key);
      if (filter.cmp === 'eq') return equals(path, filter.value);
      if (filter.cmp === 'ne') return sql`(NOT ${equals(path, filter.value)})`;
      const v = filter.value;
      if (typeof v !== 'number' && typeof v !== 'string') return sql`0`;
      return ordered(path, filter.cmp, v);
    }
  }
}
