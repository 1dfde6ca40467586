/**
 * The statements of document upserts and deletes, prepared once per connection (the write twin of
 * hot-reads.ts). drizzle built and prepared a multi-row INSERT per call, which cost more CPU than
 * the writes themselves. Rows still go many to a statement: one row per statement costs SQLite
 * several times more per row here (RETURNING, and the keyword-index triggers, pay per statement),
 * so a statement is prepared for each power-of-two row count up to MAX_ROWS, on first use, and
 * n rows run as at most log2 statements (256 rows: one). Ids and texts are bound as parameters,
 * exactly as drizzle bound them; the keyword index follows through its triggers (keyword-index.ts).
 * A vector row carries its module, collection, seq and the content hash it was embedded from
 * (api/documents.ts).
 */
import type Database from 'better-sqlite3';
import type { DocumentWrite, MigrationState } from '../types.js';
import type { PriorRow, VectorRow, WrittenRow } from '../upsert-plan.js';
import { vectorToBytes } from '../vector-bytes.js';
import { SeqCounter } from './seq.js';

/** Rows of the largest multi-row statement (8 parameters each: far under SQLite's 32766). */
const MAX_ROWS = 256;

/** One statement per power-of-two row count, `sql(rows)` prepared when first needed. */
class MultiRow {
  private readonly bySize = new Map<number, Database.Statement<unknown[], unknown[]>>();

  constructor(private readonly client: Database.Database, private readonly sql: (rows: number) => string) {}

  /** Runs one parameter list per row, 256, 128, … 1 rows a statement; returns what they return (raw rows). */
  run(rows: readonly unknown[][]): unknown[][] {
    const out: unknown[][] = [];
    for (let at = 0; at < rows.length;) {
      let size = MAX_ROWS;
      while (size > rows.length - at) size >>= 1;
      const statement = this.statement(size);
      const params = rows.slice(at, at + size).flat();
      if (statement.reader) out.push(...statement.all(...params));
      else statement.run(...params);
      at += size;
    }
    return out;
  }

  private statement(size: number): Database.Statement<unknown[], unknown[]> {
    let s = this.bySize.get(size);
    if (!s) {
      s = this.client.prepare<unknown[], unknown[]>(this.sql(size));
      if (s.reader) s.raw();
      this.bySize.set(size, s);
    }
    return s;
  }
}

const values = (row: string, n: number) => Array<string>(n).fill(row).join(', ');

type RawPrior = [number, string, string | null, number | null];

/** What a write checks of its collection (in its transaction): dims, bound module and migration. */
export interface WriteTarget {
  dims: number;
  moduleSha256: string;
  migration: MigrationState | null;
}


/** The prepared write statements of one connection; build one per connection, beside HotReads. */
export class HotWrites {
  private readonly run: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly seq: SeqCounter;
  private readonly targetOf: Database.Statement<[number], [number, string, string | null]>;
  private readonly priorOf: Database.Statement<[number, string], RawPrior>;
  private readonly upsertDocs: MultiRow;
  private readonly upsertVectors: MultiRow;
  private readonly touchVectors: Database.Statement<[number, number]>;
  private readonly liveKeyOf: Database.Statement<[number, string], number>;
  private readonly softDelete: Database.Statement<[number, number, number, string]>;
  private readonly softDeleteVectors: Database.Statement<[number, string]>;

  constructor(client: Database.Database) {
    this.run = client.transaction((fn: () => unknown) => fn());
    this.seq = new SeqCounter(client);
    this.targetOf = client.prepare<[number], [number, string, string | null]>('SELECT dims, module_sha256, migration FROM collections WHERE key = ?').raw();
    this.priorOf = client.prepare<[number, string], RawPrior>(
      'SELECT key, text, metadata, deleted_at FROM documents WHERE collection_key = ? AND id = ?').raw();
    this.upsertDocs = new MultiRow(client, (n) =>
      `INSERT INTO documents (collection_key, id, text, metadata, content_hash, seq, created_at, updated_at, deleted_at)
       VALUES ${values('(?, ?, ?, ?, ?, ?, ?, ?, NULL)', n)}
       ON CONFLICT (collection_key, id) DO UPDATE SET text = excluded.text, metadata = excluded.metadata,
         content_hash = excluded.content_hash, seq = excluded.seq, updated_at = excluded.updated_at, deleted_at = NULL
       RETURNING id, key, seq`);
    this.upsertVectors = new MultiRow(client, (n) =>
      `INSERT INTO vectors (document_key, module_sha256, collection_key, seq, content_hash, vector) VALUES ${values('(?, ?, ?, ?, ?, ?)', n)}
       ON CONFLICT (document_key, module_sha256) DO UPDATE SET seq = excluded.seq, content_hash = excluded.content_hash, vector = excluded.vector`);
    this.touchVectors = client.prepare<[number, number]>('UPDATE vectors SET seq = ? WHERE document_key = ?');
    this.liveKeyOf = client.prepare<[number, string], number>(
      'SELECT key FROM documents WHERE collection_key = ? AND id = ? AND deleted_at IS NULL').pluck();
    // the i-th key of the JSON array gets seq first + i
    this.softDelete = client.prepare<[number, number, number, string]>(
      'UPDATE documents SET deleted_at = ?, updated_at = ?, seq = ? + j.key FROM json_each(?) AS j WHERE documents.key = j.value');
    this.softDeleteVectors = client.prepare<[number, string]>(
      'UPDATE vectors SET seq = ? + j.key FROM json_each(?) AS j WHERE vectors.document_key = j.value');
  }

  /** Runs `fn` in one IMMEDIATE transaction: committed if it returns, rolled back if it throws. */
  immediate<T>(fn: () => T): T {
    return this.run.immediate(fn) as T;
  }

  /** Reserves `n` consecutive seq values and returns the first (see seq.ts). */
  allocateSeq(n: number): number {
    return this.seq.allocate(n);
  }

  /** The collection's dims, bound module and migration, or undefined when it does not exist. */
  target(collectionKey: number): WriteTarget | undefined {
    const r = this.targetOf.get(collectionKey);
    return r && { dims: r[0], moduleSha256: r[1], migration: r[2] === null ? null : (JSON.parse(r[2]) as MigrationState) };
  }

  /** The row an id has now (live or soft-deleted), or undefined. */
  prior(collectionKey: number, id: string): PriorRow | undefined {
    const r = this.priorOf.get(collectionKey, id);
    if (!r) return undefined;
    return {
      key: r[0], text: r[1], metadata: r[2] === null ? null : (JSON.parse(r[2]) as Record<string, unknown>),
      deletedAt: r[3] === null ? null : new Date(r[3]),
    };
  }

  /**
   * Inserts or replaces by id (keeping key and created_at, reviving a deleted one) each document;
   * the i-th gets seq `first + i` and `now` as updated_at. Ids must be distinct. Its vectors are
   * written by `vectors`.
   */
  upsert(collectionKey: number, docs: readonly DocumentWrite[], first: number, now: Date): Map<string, WrittenRow> {
    const t = now.getTime();
    const rows = this.upsertDocs.run(docs.map((d, i) =>
      [collectionKey, d.id, d.text, d.metadata == null ? null : JSON.stringify(d.metadata), d.contentHash, first + i, t, t]));
    const written = new Map<string, WrittenRow>();
    for (const [id, key, seq] of rows as [string, number, number][]) written.set(id, { key, seq });
    return written;
  }

  /** Inserts or replaces vectors by (document, module). */
  vectors(collectionKey: number, rows: readonly VectorRow[]): void {
    this.upsertVectors.run(rows.map((r) => [r.key, r.module, collectionKey, r.seq, r.contentHash, vectorToBytes(r.vector)]));
  }

  /** Gives every vector of document `key` (of any module) the seq `seq`: their indexes apply it again (a revived document). */
  touch(key: number, seq: number): void {
    this.touchVectors.run(seq, key);
  }

  /** The key of the live document with `id`, or undefined. */
  liveKey(collectionKey: number, id: string): number | undefined {
    return this.liveKeyOf.get(collectionKey, id);
  }

  /** Soft-deletes the documents `keys` at `now`, the i-th (and every vector of it) with seq `first + i`. */
  delete(keys: readonly number[], first: number, now: Date): void {
    const t = now.getTime();
    const json = JSON.stringify(keys);
    this.softDelete.run(t, t, first, json);
    this.softDeleteVectors.run(first, json);
  }
}
