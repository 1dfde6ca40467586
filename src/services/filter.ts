/**
 * The metadata filter language of `documents`, `search` and `clusterCollection`:
 *   {"stars": 5}                          equality (strict JSON type: 5 is not "5")
 *   {"stars": {"gte": 4, "lt": 6}}        gt gte lt lte (numbers, or strings compared lexically), eq, ne
 *   {"lang": {"in": ["en", "de"]}}        membership
 *   {"and": [...]}, {"or": [...]}         composition; several keys in one object are ANDed
 *   {"meta.nested.key": 1}                dotted keys reach into nested objects
 * `ne` is the negation of `eq`: a document without the key matches it. `{"k": null}` matches a
 * missing key or an explicit null. Unknown operators are BAD_USER_INPUT, never ignored.
 * `parseFilter()` turns it into the `Filter` tree of store/filter-ast.ts (re-exported here for the
 * services); `matches()` is the reference meaning the stores' SQL compilers follow.
 */
import { badInput } from '../errors.js';
import type { Comparison, Filter, Scalar } from '../store/filter-ast.js';

export type { Comparison, Filter, Scalar };

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}(\.[A-Za-z0-9_][A-Za-z0-9_-]{0,63}){0,7}$/;
const COMPARISONS = new Set<string>(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']);
const MAX_NODES = 256;
const MAX_DEPTH = 8;
const MAX_IN = 1000;

/** Whether `key` is a metadata key filters accept (letters, digits, _ and -; dotted for nesting). */
export function isMetadataKey(key: string): boolean {
  return KEY.test(key);
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a client filter (already JSON-decoded) into a Filter; null/undefined/{} mean "no filter". */
export function parseFilter(raw: unknown): Filter | null {
  if (raw === null || raw === undefined) return null;
  let nodes = 0;
  const walk = (v: unknown, depth: number, where: string): Filter => {
    if (++nodes > MAX_NODES) throw badInput(`filter has more than ${MAX_NODES} conditions`);
    if (depth > MAX_DEPTH) throw badInput(`filter nests deeper than ${MAX_DEPTH} levels`);
    if (!isPlainObject(v)) throw badInput(`filter${where} must be an object, got ${Array.isArray(v) ? 'an array' : typeof v}`);
    const parts: Filter[] = [];
    for (const [key, value] of Object.entries(v)) {
      if (key === 'and' || key === 'or') {
        if (!Array.isArray(value) || value.length === 0) throw badInput(`filter${where}.${key} must be a non-empty array of filters`);
        parts.push({ op: key, children: value.map((c, i) => walk(c, depth + 1, `${where}.${key}[${i}]`)) });
      } else {
        parts.push(...parseField(key, value, `${where}.${key}`));
      }
    }
    if (parts.length === 1) return parts[0]!;
    return { op: 'and', children: parts };
  };
  const f = walk(raw, 0, '');
  return f.op === 'and' && f.children.length === 0 ? null : f;
}

function parseField(key: string, value: unknown, where: string): Filter[] {
  if (!KEY.test(key)) throw badInput(`filter key "${key.slice(0, 80)}" is not a valid metadata key (letters, digits, _ and -, dotted for nesting)`);
  if (isScalar(value)) return [{ op: 'cmp', key, cmp: 'eq', value }];
  if (!isPlainObject(value)) throw badInput(`filter${where} must be a string, number, boolean, null or an operator object`);
  const ops = Object.entries(value);
  if (ops.length === 0) throw badInput(`filter${where} has no operator (use eq, ne, gt, gte, lt, lte or in)`);
  return ops.map(([op, operand]): Filter => {
    if (op === 'in') {
      if (!Array.isArray(operand) || operand.length === 0 || operand.length > MAX_IN || !operand.every(isScalar)) {
        throw badInput(`filter${where}.in must be a non-empty array of at most ${MAX_IN} strings, numbers, booleans or nulls`);
      }
      return { op: 'in', key, values: operand };
    }
    if (!COMPARISONS.has(op)) throw badInput(`filter${where}: unknown operator "${op.slice(0, 40)}" (use eq, ne, gt, gte, lt, lte or in)`);
    if (!isScalar(operand)) throw badInput(`filter${where}.${op} must be a string, number, boolean or null`);
    if (op !== 'eq' && op !== 'ne' && typeof operand !== 'number' && typeof operand !== 'string') {
      throw badInput(`filter${where}.${op} must be a number or a string`);
    }
    return { op: 'cmp', key, cmp: op as Comparison, value: operand };
  });
}

/** Reads a dotted key out of metadata; undefined when any step is missing. */
export function lookup(metadata: Record<string, unknown> | null, key: string): unknown {
  let cur: unknown = metadata;
  for (const part of key.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function equal(a: unknown, b: Scalar): boolean {
  if (b === null) return a === null || a === undefined;
  return a === b;
}

function ordered(a: unknown, cmp: Comparison, b: Scalar): boolean {
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const x = a as number | string;
  const y = b as number | string;
  switch (cmp) {
    case 'gt': return x > y;
    case 'gte': return x >= y;
    case 'lt': return x < y;
    default: return x <= y;
  }
}

/** Evaluates a filter against one document's metadata, with the same meaning as the SQL the stores build. */
export function matches(filter: Filter | null, metadata: Record<string, unknown> | null): boolean {
  if (!filter) return true;
  switch (filter.op) {
    case 'and': return filter.children.every((c) => matches(c, metadata));
    case 'or': return filter.children.some((c) => matches(c, metadata));
    case 'in': {
      const v = lookup(metadata, filter.key);
      return filter.values.some((x) => equal(v, x));
    }
    case 'cmp': {
      const v = lookup(metadata, filter.key);
      if (filter.cmp === 'eq') return equal(v, filter.value);
      if (filter.cmp === 'ne') return !equal(v, filter.value);
      return ordered(v, filter.cmp, filter.value);
    }
  }
}
