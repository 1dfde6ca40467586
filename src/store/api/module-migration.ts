/**
 * Module migrations of a collection (docs/module-migration.md): what the migration job reads and
 * writes, and the transactions that change a collection's module binding. Each binding change
 * bumps the collection's bindingVersion and, on PostgreSQL, sends a `binding` change notice in its
 * transaction, so every process swaps its indexes and collection cache.
 */
import type { CollectionRow, ModuleBinding } from './collections.js';
import type { JobRow, JobStatus, NewJob } from './jobs.js';

/** A live document whose vector of some module is missing or was embedded from another text. */
export interface StaleDocument {
  key: number;
  text: string;
  contentHash: string;
}

/** A vector the migration job embedded for a document, from the text whose hash it names. */
export interface ModuleVectorWrite {
  key: number;
  contentHash: string;
  vector: Float32Array;
}

/** What `swapModule` found: the swap done, or how many documents are still stale. */
export type SwapOutcome = { swapped: true; collection: CollectionRow } | { swapped: false; stale: number };

/** The reads and binding changes of module migrations. */
export interface ModuleMigrationStore {
  /**
   * Starts a migration of the collection to `target` in ONE transaction: creates the job and sets
   * the collection's migration (dual write off). CONFLICT (with `reason`, store/rows.ts) when a
   * migration is already running (MIGRATION_RUNNING), when the bound module is no longer `from`
   * (MODULE_CHANGED) or when `target` is the bound module (SAME_MODULE); NOT_FOUND when the
   * collection is gone.
   */
  startMigration(collectionKey: number, from: string, target: ModuleBinding, job: NewJob): Promise<{ collection: CollectionRow; job: JobRow }>;
  /**
   * Up to `limit` live documents, by key after `afterKey`, whose vector of `module` is missing or
   * was embedded from another text than the document's (content hash).
   */
  staleDocuments(collectionKey: number, module: string, afterKey: number, limit: number): Promise<StaleDocument[]>;
  /** How many live documents `staleDocuments` would return with no limit. */
  countStale(collectionKey: number, module: string): Promise<number>;
  /**
   * Stores vectors of `module` that the migration `job` embedded, in ONE transaction under the
   * collection's writer lock, each with a new seq: only for documents still live with the content
   * hash given (a document rewritten meanwhile stays stale). Returns how many were written, or
   * null (nothing written) when `job` no longer runs the collection's migration (cancelled, ended).
   */
  writeModuleVectors(collectionKey: number, job: string, module: string, rows: ModuleVectorWrite[]): Promise<number | null>;
  /** Turns the last phase of the migration `job` on (every write must carry the target's vectors); null when it no longer runs. */
  enableDualWrite(collectionKey: number, job: string): Promise<CollectionRow | null>;
  /**
   * The swap, in ONE transaction holding the collection's row lock (writers wait): when the
   * migration `job` still runs and no live document is stale for its target, the target becomes
   * the bound module, the bound one the previous module, the migration ends and the job's result
   * becomes `result`; else nothing changes and the stale count is returned. Null when `job` no
   * longer runs the migration.
   */
  swapModule(collectionKey: number, job: string, result: Record<string, unknown>): Promise<SwapOutcome | null>;
  /**
   * Ends the migration run by `job` without a swap (cancelled, failed) in ONE transaction: the job
   * gets `status` and `error` (unless already finished) and its collection's migration is cleared;
   * the target's vectors stay. Returns the collection as it is now, or null when no collection's
   * migration was run by `job` (the job row is still updated).
   */
  endMigration(job: string, status: Extract<JobStatus, 'FAILED' | 'CANCELLED'>, error: string | null): Promise<CollectionRow | null>;
  /**
   * Deletes the collection's vectors of every module but the bound one and forgets the previous
   * module, in ONE transaction. CONFLICT (MIGRATION_RUNNING) while a migration runs; null when there
   * was nothing to drop (no previous module and no other module's vectors).
   */
  dropPreviousVectors(collectionKey: number): Promise<{ collection: CollectionRow; dropped: number } | null>;
}

/** The methods of ModuleMigrationStore (the binder's list; the compiler keeps it complete). */
export const MODULE_MIGRATION_METHODS: Record<keyof ModuleMigrationStore, true> = {
  startMigration: true, staleDocuments: true, countStale: true, writeModuleVectors: true, enableDualWrite: true, swapModule: true,
  endMigration: true, dropPreviousVectors: true,
};
