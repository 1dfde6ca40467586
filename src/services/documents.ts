import { randomUUID } from 'node:crypto';
import { conflict } from '../errors.js';
import type { Encoder, ModuleRegistry } from '../modules/types.js';
import { isModuleChanged } from '../store/binding.js';
import type { CollectionRow, DocumentRow, DocumentWrite, ModuleBinding, PageRequest, Store } from '../store/types.js';
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

/** What derives from the store and must follow each committed write (the vector index), and the collection as the store has it now. */
export interface WriteHooks {
  /** Called after each commit to the collection. */
  afterWrite?(collection: CollectionRow): Promise<void>;
  /** The collection read again from the store (its module binding changed under a write); NOT_FOUND when it is gone. */
  reread?(collection: CollectionRow): Promise<CollectionRow>;
}

/** Tries of an upsert whose collection's module binding keeps changing under it (a swap, a migration's last phase). */
const UPSERT_TRIES = 4;

/**
 * Writes and reads documents. An upsert validates each item, reuses stored vectors of identical
 * texts, embeds the rest with the collection's module, then commits documents and vectors in one
 * transaction: what is acknowledged is stored with its vector. During the last phase of a module
 * migration it embeds with the migration's target too; when the binding changed since the
 * collection was read (the store refuses the write, MODULE_CHANGED), it reads the collection
 * again and embeds with what it says now.
 */
export class DocumentService {
  constructor(
    private readonly store: Store,
    private readonly modules: ModuleRegistry,
    private readonly limits: Limits,
    private readonly hooks: WriteHooks = {},
  ) {}

  /**
   * The encoder of `module` (the collection's bound module, a migration's target, a stale head's),
   * loaded from its record first when another process loaded it (ModuleRegistry.acquire); CONFLICT
   * when the loaded module of that name differs.
   */
  async encoderOf(collection: CollectionRow, module: ModuleBinding): Promise<Encoder> {
    const encoder = await this.modules.acquire(module.name);
    const { version, sha256, dims } = encoder.info;
    if (version !== module.version || sha256 !== module.sha256 || dims !== module.dims) {
      const needs = module.sha256 === collection.module.sha256 ? 'is bound to' : 'needs';
      throw conflict(
        `collection "${collection.name}" ${needs} ${module.name}@${module.version} ` +
          `(sha256 ${module.sha256.slice(0, 12)}…), but this server loaded ${encoder.info.name}@${version} ` +
          `(sha256 ${sha256.slice(0, 12)}…); vectors of different modules never mix: load that module under another name and migrate the collection to it`,
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

    const items = [...byId.entries()];
    const texts = new Map(items.map(([, v]) => [v.hash, v.text]));
    let row = collection;
    let embedded = 0;
    for (let tries = 1; ; tries++) {
      const target = row.migration?.dualWrite ? row.migration.target : null;
      const [vectors, targetVectors] = await Promise.all([this.embed(row, row.module, texts), target ? this.embed(row, target, texts) : null]);
      embedded += vectors.embedded + (targetVectors?.embedded ?? 0);
      const writes: DocumentWrite[] = items.map(([id, v]) => ({
        id,
        text: v.text,
        metadata: v.metadata,
        contentHash: v.hash,
        vector: vectors.byHash.get(v.hash)!,
        ...(targetVectors ? { targetVector: targetVectors.byHash.get(v.hash)! } : {}),
      }));
      try {
        const outcome = await this.store.upsertDocuments(row.key, writes, { module: row.module.sha256, target: target?.sha256 ?? null });
        await this.hooks.afterWrite?.(row);
        const seq = outcome.written.reduce((m, w) => Math.max(m, w.seq), 0);
        return { ids, errors, upserted: outcome.written.length, embedded, seq };
      } catch (e) {
        if (!isModuleChanged(e) || !this.hooks.reread || tries >= UPSERT_TRIES) throw e;
        row = await this.hooks.reread(row);
      }
    }
  }

  /** Vectors of `module` for texts by content hash: the stored ones of that module reused, the others embedded (bulk). */
  private async embed(collection: CollectionRow, module: ModuleBinding, texts: ReadonlyMap<string, string>): Promise<{ byHash: Map<string, Float32Array>; embedded: number }> {
    const encoder = await this.encoderOf(collection, module);
    const byHash = await this.store.vectorsByContentHash(collection.key, module.sha256, [...texts.keys()]);
    const missing = [...texts].filter(([hash]) => !byHash.has(hash));
    if (missing.length > 0) {
      const vectors = await encoder.embed(missing.map(([, text]) => text), { priority: 'bulk' });
      missing.forEach(([hash], i) => byHash.set(hash, vectors[i]!));
    }
    return { byHash, embedded: missing.length };
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
