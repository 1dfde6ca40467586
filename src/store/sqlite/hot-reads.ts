/**
 * The reads every search runs, as better-sqlite3 statements prepared once per connection. drizzle
 * builds its SQL and prepares a statement on every call (about 0.8 ms for a ten-key lookup, several
 * times the HNSW search itself); these run in tens of microseconds. A key or id list travels as one
 * JSON array through json_each, so one statement serves any number of keys, and rows come back as
 * arrays (`raw()`), not objects. Every read of vectors names its module (api/documents.ts).
 */
import type Database from 'better-sqlite3';
import type { Change, DocumentRow } from '../types.js';
import { bytesToVector } from '../vector-bytes.js';

const COLUMNS = 'key, id, text, metadata, content_hash, seq, created_at, updated_at, deleted_at';
type RawDocument = [number, string, string, string | null, string, number, number, number, number | null];

export class HotReads {
  private readonly byKeys: Database.Statement<[number, string], RawDocument>;
  private readonly byIds: Database.Statement<[number, string], RawDocument>;
  private readonly vectors: Database.Statement<[string, number, string], [number, Buffer]>;
  private readonly byHashes: Database.Statement<[string, number, string], [string, Buffer]>;
  private readonly changes: Database.Statement<[number, string, number, number], [number, number, number | null, Buffer]>;

  constructor(client: Database.Database) {
    const live = 'documents.collection_key = ? AND documents.deleted_at IS NULL';
    this.byKeys = client.prepare<[number, string], RawDocument>(
      `SELECT ${COLUMNS} FROM documents WHERE ${live} AND key IN (SELECT value FROM json_each(?))`).raw();
    this.byIds = client.prepare<[number, string], RawDocument>(
      `SELECT ${COLUMNS} FROM documents WHERE ${live} AND id IN (SELECT value FROM json_each(?))`).raw();
    this.vectors = client.prepare<[string, number, string], [number, Buffer]>(
      `SELECT documents.key, vectors.vector FROM documents
       JOIN vectors ON vectors.document_key = documents.key AND vectors.module_sha256 = ?
       WHERE ${live} AND documents.key IN (SELECT value FROM json_each(?))`).raw();
    // through documents' (collection, content hash) index, then the vector of that module embedded from that text
    this.byHashes = client.prepare<[string, number, string], [string, Buffer]>(
      `SELECT documents.content_hash, vectors.vector FROM documents
       JOIN vectors ON vectors.document_key = documents.key AND vectors.module_sha256 = ? AND vectors.content_hash = documents.content_hash
       WHERE documents.collection_key = ? AND documents.content_hash IN (SELECT value FROM json_each(?))`).raw();
    this.changes = client.prepare<[number, string, number, number], [number, number, number | null, Buffer]>(
      `SELECT vectors.document_key, vectors.seq, documents.deleted_at, vectors.vector FROM vectors
       JOIN documents ON documents.key = vectors.document_key
       WHERE vectors.collection_key = ? AND vectors.module_sha256 = ? AND vectors.seq > ? ORDER BY vectors.seq LIMIT ?`).raw();
  }

  /** One stored vector of `module` per content hash among `hashes` (any document of the collection, deleted ones included). */
  vectorsByContentHash(collectionKey: number, module: string, hashes: readonly string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    if (!hashes.length) return out;
    for (const [hash, bytes] of this.byHashes.all(module, collectionKey, JSON.stringify([...new Set(hashes)]))) {
      if (!out.has(hash)) out.set(hash, bytesToVector(bytes));
    }
    return out;
  }

  /** Changes of the collection's vectors of `module` after `afterSeq`, in seq order, at most `limit`. */
  changesSince(collectionKey: number, module: string, afterSeq: number, limit: number): Change[] {
    return this.changes.all(collectionKey, module, afterSeq, limit).map(([key, seq, deletedAt, vector]) => {
      const deleted = deletedAt !== null;
      return { key, seq, deleted, vector: deleted ? null : bytesToVector(vector) };
    });
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

  /** Vectors of `module` of live documents for `keys`, in that order, null where absent. */
  vectorsByKeys(collectionKey: number, module: string, keys: readonly number[]): (Float32Array | null)[] {
    if (!keys.length) return [];
    const found = new Map<number, Float32Array>();
    for (const [key, bytes] of this.vectors.all(module, collectionKey, JSON.stringify(keys))) found.set(key, bytesToVector(bytes));
    return keys.map((k) => found.get(k) ?? null);
  }
}

function toDocument(r: RawDocument): DocumentRow {
  return {
    key: r[0], id: r[1], text: r[2], metadata: r[3] === null ? null : (JSON.parse(r[3]) as Record<string, unknown>), contentHash: r[4],
    seq: r[5], createdAt: new Date(r[6]), updatedAt: new Date(r[7]), deletedAt: r[8] === null ? null : new Date(r[8]),
  };
}
