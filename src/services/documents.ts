import { randomUUID } from 'node:crypto';
import { conflict } from '../errors.js';
import type { Encoder, ModuleRegistry } from '../modules/types.js';
import type { CollectionRow, DocumentRow, DocumentWrite, PageRequest, Store } from '../store/types.js';
import { parseFilter } from './filter.js';
import { sha256 } from '../sha256.js';
import { checkBatch, documentIdProblem, metadataProblem, textProblem, type Limits } from './validate.js';

export interface DocumentInput {
  id?: string | null;
  text: string;
  metadata?: unknown;
}

export interface ItemError {
  index: number;
  id: string | null;
  code: string;
  message: string;
}

export interface UpsertReport {
  ids: (string | null)[];
  errors: ItemError[];
  upserted: number;
  embedded: number;
  /** Highest change sequence this upsert committed (0 when nothing was written): `afterSeq` for reads. */
  seq: number;
}

/** What derives from the store and must follow each committed write (the vector index). */
export interface WriteHooks {
  /** Called after each commit to the collection. */
  afterWrite?(collection: CollectionRow): Promise<void>;
}

/**
 * Writes and reads documents. An upsert validates each item, reuses stored vectors of identical
 * texts, embeds the rest with the collection's module, then commits documents and vectors in one
 * transaction: what is acknowledged is stored with its vector.
 */
export class DocumentService {
  constructor(
    private readonly store: Store,
    private readonly modules: ModuleRegistry,
    private readonly limits: Limits,
    private readonly hooks: WriteHooks = {},
  ) {}

  /**
   * The encoder a collection is bound to (loaded from its record first when another process loaded
   * the module: ModuleRegistry.acquire); CONFLICT when the loaded module differs.
   */
  async encoderFor(collection: CollectionRow): Promise<Encoder> {
    const encoder = await this.modules.acquire(collection.module.name);
    const { version, sha256, dims } = encoder.info;
    if (version !== collection.module.version || sha256 !== collection.module.sha256 || dims !== collection.module.dims) {
      throw conflict(
        `collection "${collection.name}" is bound to ${collection.module.name}@${collection.module.version} ` +
          `(sha256 ${collection.module.sha256.slice(0, 12)}…), but this server loaded ${encoder.info.name}@${version} ` +
          `(sha256 ${sha256.slice(0, 12)}…); vectors of different modules never mix: re-embed into a new collection`,
      );
    }
    return encoder;
  }

  async upsert(collection: CollectionRow, inputs: DocumentInput[]): Promise<UpsertReport> {
    checkBatch('documents', inputs.length, this.limits);
    const errors: ItemError[] = [];
    const ids: (string | null)[] = new Array(inputs.length).fill(null);
    // Last occurrence of an id wins, as if the items were upserted one after another.
    const byId = new Map<string, { index: number; text: string; metadata: Record<string, unknown> | null; hash: string }>();
    inputs.forEach((input, index) => {
      const id = input.id ?? randomUUID();
      const problem: [string, string] | null =
        (documentIdProblem(id) && ['BAD_USER_INPUT', documentIdProblem(id)!]) ||
        textProblem(input.text, this.limits) ||
        metadataProblem(input.metadata, this.limits);
      if (problem) {
        errors.push({ index, id: input.id ?? null, code: problem[0], message: problem[1] });
        return;
      }
      ids[index] = id;
      byId.set(id, { index, text: input.text, metadata: (input.metadata as Record<string, unknown>) ?? null, hash: sha256(input.text) });
    });
    if (byId.size === 0) return { ids, errors, upserted: 0, embedded: 0, seq: 0 };

    const encoder = await this.encoderFor(collection);
    const items = [...byId.entries()];
    const cached = await this.store.vectorsByContentHash(collection.key, [...new Set(items.map(([, v]) => v.hash))]);
    const missing = new Map<string, string>();
    for (const [, v] of items) if (!cached.has(v.hash)) missing.set(v.hash, v.text);
    if (missing.size > 0) {
      const vectors = await encoder.embed([...missing.values()], { priority: 'bulk' });
      [...missing.keys()].forEach((hash, i) => cached.set(hash, vectors[i]!));
    }
    const writes: DocumentWrite[] = items.map(([id, v]) => ({
      id,
      text: v.text,
      metadata: v.metadata,
      contentHash: v.hash,
      vector: cached.get(v.hash)!,
    }));
    const outcome = await this.store.upsertDocuments(collection.key, writes);
    await this.hooks.afterWrite?.(collection);
    const seq = outcome.written.reduce((m, w) => Math.max(m, w.seq), 0);
    return { ids, errors, upserted: outcome.written.length, embedded: missing.size, seq };
  }

  async delete(collection: CollectionRow, ids: string[]): Promise<number> {
    checkBatch('ids', ids.length, this.limits);
    const n = await this.store.deleteDocuments(collection.key, [...new Set(ids)]);
    if (n > 0) await this.hooks.afterWrite?.(collection);
    return n;
  }

  getByIds(collection: CollectionRow, ids: readonly string[]): Promise<(DocumentRow | null)[]> {
    return this.store.getDocumentsByIds(collection.key, [...ids]);
  }

  /** Documents of a collection by internal key (cluster representatives), in key order; null where missing or deleted. */
  getByKeys(collectionKey: number, keys: readonly number[]): Promise<(DocumentRow | null)[]> {
    return this.store.getDocumentsByKeys(collectionKey, [...keys]);
  }

  /** One page of live documents matching the raw client filter, plus the total count. */
  async list(collection: CollectionRow, rawFilter: unknown, page: PageRequest): Promise<{ rows: DocumentRow[]; total: () => Promise<number> }> {
    const filter = parseFilter(rawFilter);
    const rows = await this.store.listDocuments(collection.key, filter, page);
    return { rows, total: () => this.store.countDocuments(collection.key, filter) };
  }

  count(collection: CollectionRow): Promise<number> {
    return this.store.countDocuments(collection.key);
  }

  countDeleted(collection: CollectionRow): Promise<number> {
    return this.store.countDeleted(collection.key);
  }
}
