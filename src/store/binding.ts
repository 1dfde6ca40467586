/**
 * The module binding as both dialects check and change it inside their transactions: which module
 * a write's vectors must come from while the collection is bound, migrating or swapping
 * (api/documents.ts EmbeddedWith), when a migration may start, what a swap sets, and which
 * documents a migration still has to embed (api/module-migration.ts).
 */
import { and, isNull, ne, or, type Column, type SQL } from 'drizzle-orm';
import { conflict, isAppError, type AppError } from '../errors.js';
import { liveDocuments } from './conditions.js';
import type { CollectionRow, EmbeddedWith, MigrationState, ModuleBinding } from './types.js';

/** The CONFLICT reason of a write whose vectors come from a module the collection no longer wants (api/documents.ts EmbeddedWith). */
export const MODULE_CHANGED = 'MODULE_CHANGED';

/** True for the CONFLICT of a write embedded with a module the collection no longer wants: read the collection again and re-embed. */
export function isModuleChanged(e: unknown): boolean {
  return isAppError(e) && e.code === 'CONFLICT' && e.details?.reason === MODULE_CHANGED;
}

/**
 * The module a write's vectors must come from, and the target's when a migration is in its last
 * phase, against what the write embedded with: CONFLICT MODULE_CHANGED when they differ. Returns
 * whether the write's target vectors are to be stored (they are the running migration's target).
 */
export function checkEmbeddedWith(c: { moduleSha256: string; migration: MigrationState | null }, embedded: EmbeddedWith | undefined): boolean {
  const module = embedded?.module ?? c.moduleSha256;
  const target = embedded?.target ?? null;
  const wanted = c.migration;
  if (module !== c.moduleSha256 || (wanted?.dualWrite && target !== wanted.target.sha256)) {
    throw conflict(
      `the collection's module binding changed while this write was embedded (it is bound to sha256 ${c.moduleSha256.slice(0, 12)}…` +
        `${wanted?.dualWrite ? `, migrating to ${wanted.target.sha256.slice(0, 12)}…` : ''}); embed again`,
      MODULE_CHANGED,
    );
  }
  return target !== null && wanted?.target.sha256 === target;
}

/** CONFLICT unless a migration of `c` to `target` may start: none running, still bound to `from`, `target` another module. */
export function checkMigrationStart(c: CollectionRow, from: string, target: ModuleBinding): void {
  if (c.migration) {
    throw conflict(`collection "${c.name}" is already migrating to ${c.migration.target.name}@${c.migration.target.version} (job ${c.migration.job}); cancel it first`, 'MIGRATION_RUNNING');
  }
  if (c.module.sha256 !== from) throw conflict(`the module binding of collection "${c.name}" changed meanwhile; try again`, MODULE_CHANGED);
  if (target.sha256 === c.module.sha256) {
    throw conflict(`collection "${c.name}" is already bound to ${target.name}@${target.version} (sha256 ${target.sha256.slice(0, 12)}…)`, 'SAME_MODULE');
  }
}

/** The CONFLICT of a binding change refused while a migration runs. */
export function migrationRunning(c: CollectionRow): AppError {
  return conflict(`collection "${c.name}" is migrating to ${c.migration!.target.name}@${c.migration!.target.version}; wait for it or cancel it first`, 'MIGRATION_RUNNING');
}

/** The `collections` columns of a swap: the target bound, the bound module previous, no migration. */
export function swappedBinding(c: CollectionRow) {
  const target = c.migration!.target;
  return {
    moduleName: target.name, moduleVersion: target.version, moduleSha256: target.sha256, dims: target.dims,
    previousModule: c.module, migration: null,
  };
}

/**
 * The live documents whose vector of `module` (left-joined as `vectors`) is missing or was
 * embedded from another text, after `afterKey`: what a migration to `module` still has to embed.
 */
export function staleForModule(
  documents: { key: Column; collectionKey: Column; deletedAt: Column; contentHash: Column }, vectors: { documentKey: Column; contentHash: Column },
  collectionKey: number, afterKey?: number,
): SQL | undefined {
  return and(liveDocuments(documents, collectionKey, undefined, afterKey), or(isNull(vectors.documentKey), ne(vectors.contentHash, documents.contentHash)));
}
