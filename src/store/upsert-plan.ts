/**
 * Dialect-neutral parts of `Store.upsertDocuments`: which writes win, what may be stored, and the
 * per-input outcome. Both dialects run: plan → read prior rows → write → `upsertOutcome`.
 */
import { badInput, invariant } from '../errors.js';
import type { DocumentWrite, UpsertOutcome } from './types.js';

/** What the repository read about an id before writing it. */
export interface PriorRow {
  key: number;
  text: string;
  metadata: Record<string, unknown> | null;
  deletedAt: Date | null;
}

/** The state of one id after the write. */
export interface WrittenRow {
  key: number;
  seq: number;
}

/** A vector to store: its document, module, seq, the content hash it was embedded from, and its value. */
export interface VectorRow {
  key: number;
  module: string;
  seq: number;
  contentHash: string;
  vector: Float32Array;
}

/**
 * Keys per statement of a read by key list (getVectorsByKeys): far under both bound-parameter
 * limits, and one statement covers the exact-search allow-list of search.ts (EXACT_FILTER_MAX).
 */
export const KEY_CHUNK = 2000;

/** Splits `items` into arrays of at most `size` (bound-parameter limits: SQLite 32766, pg 65535). */
export function chunk<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One write per id, the last occurrence winning, in the order of those last occurrences. */
export function lastWins(docs: readonly DocumentWrite[]): DocumentWrite[] {
  const byId = new Map<string, DocumentWrite>();
  for (const d of docs) {
    byId.delete(d.id);
    byId.set(d.id, d);
  }
  return [...byId.values()];
}

// NUL and unpaired surrogates: PostgreSQL rejects them (text, jsonb) and SQLite would store them
// differently, so both stores refuse them alike.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function storableJson(v: unknown): boolean {
  if (typeof v === 'string') return !UNSTORABLE.test(v);
  if (Array.isArray(v)) return v.every(storableJson);
  if (v !== null && typeof v === 'object') {
    return Object.entries(v).every(([k, x]) => !UNSTORABLE.test(k) && storableJson(x));
  }
  return true;
}

/**
 * Checks each write before any SQL runs: vector length equals the collection's dims, and the
 * target vector's the migration target's when `targetDims` is given (a caller bug: invariant), and
 * text and metadata hold no NUL or unpaired surrogate (BAD_USER_INPUT).
 */
export function checkWrites(docs: readonly DocumentWrite[], dims: number, targetDims: number | null = null): void {
  for (const d of docs) {
    invariant(d.vector instanceof Float32Array && d.vector.length === dims,
      `vector of document "${d.id.slice(0, 80)}" has ${d.vector?.length} dims, the collection has ${dims}`);
    invariant(targetDims === null || (d.targetVector instanceof Float32Array && d.targetVector.length === targetDims),
      `target vector of document "${d.id.slice(0, 80)}" has ${d.targetVector?.length} dims, the migration target has ${targetDims}`);
    if (UNSTORABLE.test(d.text) || !storableJson(d.metadata)) {
      throw badInput(`document "${d.id.slice(0, 80)}": text and metadata must not contain NUL (\\u0000) or unpaired surrogates`);
    }
  }
}

/**
 * The vector rows of written documents: each one's vector of `module` and, with `target`, its
 * target vector, at the document's seq and content hash.
 */
export function vectorRows(
  winners: readonly DocumentWrite[], written: ReadonlyMap<string, WrittenRow>, module: string, target: string | null,
): VectorRow[] {
  const rows = winners.map((d) => {
    const { key, seq } = written.get(d.id)!;
    return { key, module, seq, contentHash: d.contentHash, vector: d.vector };
  });
  if (target === null) return rows;
  return [...rows, ...winners.map((d, i) => ({ ...rows[i]!, module: target, vector: d.targetVector! }))];
}

/** Deep equality of two JSON values; object key order does not matter. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJson(x, bb[i]));
  }
  const ka = Object.keys(a);
  const ob = b as Record<string, unknown>;
  if (ka.length !== Object.keys(ob).length) return false;
  return ka.every((k) => Object.hasOwn(ob, k) && sameJson((a as Record<string, unknown>)[k], ob[k]));
}

/** `metadata` as it will read back from the store (undefined members dropped, -0 as 0 …). */
function normalizedMetadata(m: Record<string, unknown> | null): Record<string, unknown> | null {
  return m === null ? null : (JSON.parse(JSON.stringify(m)) as Record<string, unknown>);
}

/**
 * The per-input outcome, in input order. Duplicated ids all report the winning write.
 * `created`: no live document had the id before (new, or revived from a soft delete).
 * `changed`: created, or the text or the metadata (compared as JSON) differs.
 */
export function upsertOutcome(
  docs: readonly DocumentWrite[],
  winners: readonly DocumentWrite[],
  prior: ReadonlyMap<string, PriorRow>,
  written: ReadonlyMap<string, WrittenRow>,
): UpsertOutcome {
  const changedById = new Map<string, { created: boolean; changed: boolean }>();
  for (const w of winners) {
    const p = prior.get(w.id);
    const created = !p || p.deletedAt !== null;
    const changed = created || p.text !== w.text || !sameJson(p.metadata, normalizedMetadata(w.metadata));
    changedById.set(w.id, { created, changed });
  }
  return {
    written: docs.map((d) => {
      const row = written.get(d.id);
      const flags = changedById.get(d.id);
      invariant(row && flags, `upsert wrote no row for document "${d.id.slice(0, 80)}"`);
      return { id: d.id, key: row.key, seq: row.seq, ...flags };
    }),
  };
}
