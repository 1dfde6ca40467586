/**
 * The reads every search runs, as better-sqlite3 statements prepared once per connection. drizzle
 * builds its SQL and prepares a statement on every call (about 0.8 ms for a ten-key lookup, several
 * times the HNSW search itself); these run in tens of microseconds. A key or id list travels as one
 * JSON array through json_each, so one statement serves any number of keys, and rows come back as
 * arrays (`raw()`), not objects.
 */
import type Database from 'better-sqlite3';
import type { DocumentRow } from '../types.js';
import { bytesToVector } from '../vector-bytes.js';

const COLUMNS = 'key, id, text, metadata, content_hash, seq, created_at, updated_at, deleted_at';
type RawDocument = [number, string, string, string | null, string, number, number, number, number | null];

export class HotReads {
  private readonly byKeys: Database.Statement<[number, string], RawDocument>;
  private readonly byIds: Database.Statement<[number, string], RawDocument>;
  private readonly vectors: Database.Statement<[number, string], [number, Buffer]>;

  constructor(client: Database.Database) {
    const live = 'documents.collection_key = ? AND documents.deleted_at IS NULL';
    this.byKeys = client.prepare<[number, string], RawDocument>(
      `SELECT ${COLUMNS} FROM documents WHERE ${live} AND key IN (SELECT value FROM json_each(?))`).raw();
    this.byIds = client.prepare<[number, string], RawDocument>(
      `SELECT ${COLUMNS} FROM documents WHERE ${live} AND id IN (SELECT value FROM json_each(?))`).raw();
    this.vectors = client.prepare<[number, string], [number, Buffer]>(
      `SELECT documents.key, vectors.vector FROM documents JOIN vectors ON vectors.document_key = documents.key
       WHERE ${live} AND documents.key IN (SELECT value FROM json_each(?))`).raw();
  }

  /** Live documents for `keys`, in that order, null where absent. */
  documentsByKeys(collectionKey: number, keys: readonly number[]): (DocumentRow | null)[] {
    if (!keys.length) return [];
    const found = new Map<number, DocumentRow>();
    for (const r of this.byKeys.all(collectionKey, JSON.stringify(keys))) found.set(r[0], toDocument(r));
    return keys.map((k) => found.get(k) ?? null);
  }

  /** Live documents for `ids`, in that order, null where absent. */
  documentsByIds(collectionKey: number, ids: readonly string[]): (DocumentRow | null)[] {
    if (!ids.length) return [];
    const found = new Map<string, DocumentRow>();
    for (const r of this.byIds.all(collectionKey, JSON.stringify(ids))) found.set(r[1], toDocument(r));
    return ids.map((id) => found.get(id) ?? null);
  }

  /** Vectors of live documents for `keys`, in that order, null where absent. */
  vectorsByKeys(collectionKey: number, keys: readonly number[]): (Float32Array | null)[] {
    if (!keys.length) return [];
    const found = new Map<number, Float32Array>();
    for (const [key, bytes] of this.vectors.all(collectionKey, JSON.stringify(keys))) found.set(key, bytesToVector(bytes));
    return keys.map((k) => found.get(k) ?? null);
  }
}

function toDocument(r: RawDocument): DocumentRow {
  return {
    key: r[0], id: r[1], text: r[2], metadata: r[3] === null ? null : (JSON.parse(r[3]) as Record<string, unknown>), contentHash: r[4],
    seq: r[5], createdAt: new Date(r[6]), updatedAt: new Date(r[7]), deletedAt: r[8] === null ? null : new Date(r[8]),
  };
}
