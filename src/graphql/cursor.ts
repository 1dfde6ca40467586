import { badInput } from '../errors.js';
import type { ConnectionModel } from './models.js';

/**
 * Opaque Relay cursors: base64url of "<kind>:<key>". Clients must not build them; a cursor of the
 * wrong kind or a malformed one is BAD_USER_INPUT.
 */
function encodeCursor(kind: string, key: number): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | null | undefined): number | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const raw = cursor.length <= 64 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^([a-z]+):(\d{1,15})$/.exec(raw);
  if (!m || m[1] !== kind) throw badInput(`"after" is not a valid cursor for this list: pass an endCursor from a previous page`);
  return Number(m[2]);
}

/** Page size from `first`: default 20, at most 100, never negative. */
export function pageSize(first: number | null | undefined, max = 100, def = 20): number {
  if (first === null || first === undefined) return def;
  if (!Number.isInteger(first) || first < 0) throw badInput(`"first" must be a non-negative integer, got ${first}`);
  if (first > max) throw badInput(`"first" is ${first}; the most one page can hold is ${max}`);
  return first;
}

/** A Relay connection from a page fetched with one extra row (to know whether there is a next page). */
export function connection<T>(kind: string, rows: T[], first: number, keyOf: (row: T) => number, total: () => Promise<number>): ConnectionModel<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(kind, keyOf(node)), node }));
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: total,
  };
}
