/**
 * Documents: text, metadata and their vectors, keyed by (collection, id); every write gets a new
 * change sequence number (seq). A document has one vector per module that embedded it (the
 * collection's bound module, and during or after a module migration its target or previous one),
 * each with the seq of its last change and the content hash of the text it was embedded from; the
 * index of each module follows that module's vectors by seq (changesSince). A delete bumps the seq
 * of every vector of the document, so every module's index removes it.
 */
import type { Filter } from '../filter-ast.js';
import type { PageRequest } from './collections.js';

export interface DocumentRow {
  /** Internal numeric key, stable for the life of the document (the vector index label). */
  key: number;
  id: string;
  text: string;
  metadata: Record<string, unknown> | null;
  contentHash: string;
  /** Change sequence of the last write (upsert or delete); monotonic across the store. */
  seq: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface DocumentWrite {
  id: string;
  text: string;
  metadata: Record<string, unknown> | null;
  contentHash: string;
  /** Float32 vector of the bound module's dims; stored in the same transaction as the document. */
  vector: Float32Array;
  /** The vector of the migration target (EmbeddedWith.target), stored beside it. */
  targetVector?: Float32Array;
}

/**
 * Which modules the vectors of an upsert come from (sha256s). The store checks, in the write's
 * transaction, that `module` is still the collection's bound module and, when a migration is in its
 * last phase (MigrationState.dualWrite), that `target` is its target; otherwise nothing is written
 * and the upsert fails with CONFLICT whose `reason` is MODULE_CHANGED (store/rows.ts): the caller
 * reads the collection again and embeds with what it says. Without it, the vectors are taken to be
 * the bound module's.
 */
export interface EmbeddedWith {
  module: string;
  /** The module of every DocumentWrite.targetVector; written only while it is the migration's target. */
  target?: string | null;
}

export interface UpsertOutcome {
  /** Per written document, in input order: its key and whether text or metadata changed. */
  written: { id: string; key: number; seq: number; created: boolean; changed: boolean }[];
}

/** One change of a collection's log of one module: a live document with its vector, or a deletion (what index/catch-up.ts reads). */
export interface Change {
  key: number;
  seq: number;
  deleted: boolean;
  vector: Float32Array | null;
}

/** How far a reader of a module's change log of a collection that reached some seq is behind the store (changeLag). */
export interface ChangeLag {
  /** The newest change of the log (at least the seq asked about). */
  storeSeq: number;
  /** Vectors whose latest change comes after the seq asked about: what a catch-up applies. */
  behind: number;
  /** When the oldest of those changes was written (the writer's clock); null when none. */
  oldestAt: Date | null;
}

/** A metadata update of one live document: `set` keys replace top-level keys of its metadata. */
export interface MetadataPatch {
  key: number;
  set: Record<string, unknown>;
  /** Top-level keys to remove (before `set` is merged). */
  unset?: string[];
}

/** The documents of a store's collections, their vectors and their change log. */
export interface DocumentStore {
  /**
   * Inserts or replaces documents by (collection, id) in ONE transaction, vectors included.
   * A soft-deleted id is revived (the vectors it kept of other modules get its new seq, so their
   * indexes add it back). Every write gets a new seq, its vector too. Duplicate ids within one
   * call: the last one wins (callers dedupe first). See EmbeddedWith for the module check.
   */
  upsertDocuments(collectionKey: number, docs: DocumentWrite[], embedded?: EmbeddedWith): Promise<UpsertOutcome>;
  /** Soft-deletes live documents by id (new seq each, given to all their vectors); returns how many were live. */
  deleteDocuments(collectionKey: number, ids: string[]): Promise<number>;
  /** In key order of `ids`; null where missing or deleted. */
  getDocumentsByIds(collectionKey: number, ids: string[]): Promise<(DocumentRow | null)[]>;
  getDocumentsByKeys(collectionKey: number, keys: number[]): Promise<(DocumentRow | null)[]>;
  /** Live documents matching `filter`, ordered by key. */
  listDocuments(collectionKey: number, filter: Filter | null, page: PageRequest): Promise<DocumentRow[]>;
  countDocuments(collectionKey: number, filter?: Filter | null): Promise<number>;
  /** Counts soft-deleted documents. */
  countDeleted(collectionKey: number): Promise<number>;
  /**
   * Vectors of `module` by content hash, embedded from exactly that text (of any live or deleted
   * document of the collection): the embedding cache. Another module's vectors are never reused.
   */
  vectorsByContentHash(collectionKey: number, module: string, hashes: string[]): Promise<Map<string, Float32Array>>;
  /** Live vectors of `module` of the documents matching `filter` (all when null), ordered by key; a document without one is left out. */
  vectors(collectionKey: number, module: string, filter: Filter | null, page: PageRequest): Promise<{ key: number; vector: Float32Array }[]>;
  /** Changes of the vectors of `module` with seq > `afterSeq`, ascending by seq, at most `limit`. */
  changesSince(collectionKey: number, module: string, afterSeq: number, limit: number): Promise<Change[]>;
  /** Highest seq of any write in the collection (0 when none). */
  maxSeq(collectionKey: number): Promise<number>;
  /** How far a reader of `module`'s log that reached `afterSeq` is behind (one range read of the log's tail). */
  changeLag(collectionKey: number, module: string, afterSeq: number): Promise<ChangeLag>;
  /**
   * Live vectors of `module` of the documents matching `filter` (all when null) with their metadata,
   * ordered by key (`afterKey` exclusive): one read of what training a head needs, without the text.
   */
  vectorsWithMetadata(collectionKey: number, module: string, filter: Filter | null, page: PageRequest): Promise<{ key: number; metadata: Record<string, unknown> | null; vector: Float32Array }[]>;
  /**
   * Removes `unset` from, then merges `set` into, the top-level metadata of live documents by key,
   * in ONE transaction; each changed document gets a new seq and a new updatedAt; text, content
   * hash and vectors (so the indexes too) are unchanged. Keys that are missing, deleted or of
   * another collection are skipped. Returns how many documents were patched.
   */
  patchDocumentMetadata(collectionKey: number, patches: MetadataPatch[]): Promise<number>;
}

/** The methods of DocumentStore (the binder's list; the compiler keeps it complete). */
export const DOCUMENT_METHODS: Record<keyof DocumentStore, true> = {
  upsertDocuments: true, deleteDocuments: true, getDocumentsByIds: true, getDocumentsByKeys: true, listDocuments: true,
  countDocuments: true, countDeleted: true, vectorsByContentHash: true, vectors: true, changesSince: true, maxSeq: true, changeLag: true,
  vectorsWithMetadata: true, patchDocumentMetadata: true,
};
