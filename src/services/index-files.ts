/**
 * The files of the HNSW indexes in a data directory: one pair (`.hnsw`, `.meta.json`) per
 * collection and module, `collection-<key>-<first 16 hex of the module's sha256>`. Indexes saved
 * before module migrations (`collection-<key>`, always of the bound module) are renamed to the
 * bound module's name when first opened, so an upgrade does not rebuild them.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

const EXTENSIONS = ['.hnsw', '.meta.json'] as const;
/** Hex digits of the module sha256 in a file name. */
const SHA_PREFIX = 16;

/** The file stem of the index of `collectionKey` for the module with `sha256`. */
export function indexFileName(collectionKey: number, sha256: string): string {
  return `collection-${collectionKey}-${sha256.slice(0, SHA_PREFIX)}`;
}

/** Renames the files of a collection's index saved before per-module names, if there are any and none of the new name. */
export async function adoptLegacyIndex(dir: string, collectionKey: number, sha256: string): Promise<void> {
  const legacy = path.join(dir, `collection-${collectionKey}`);
  const named = path.join(dir, indexFileName(collectionKey, sha256));
  const exists = (p: string) => stat(p).then(() => true, () => false);
  if (!(await exists(`${legacy}.hnsw`)) || (await exists(`${named}.hnsw`))) return;
  // the meta (with its module sha256) decides at load whether the index is used or rebuilt
  for (const ext of EXTENSIONS) await rename(legacy + ext, named + ext).catch(() => undefined);
}

/**
 * Removes the index files of a collection: all of them (its legacy pair included), or with `keep`
 * those of the modules `keep` does not accept (by sha256 prefix; a legacy pair is left to be adopted).
 */
export async function removeIndexFiles(dir: string, collectionKey: number, keep?: (shaPrefix: string) => boolean): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const mine = new RegExp(`^collection-${collectionKey}(?:-([0-9a-f]{${SHA_PREFIX}}))?\\.(?:hnsw|meta\\.json)$`);
  await Promise.all(names.map((name) => {
    const m = mine.exec(name);
    if (!m || (keep && (m[1] === undefined || keep(m[1])))) return undefined;
    return rm(path.join(dir, name), { force: true });
  }));
}

/** Whether `sha256` is the module of a file named with `shaPrefix`. */
export const sameModule = (shaPrefix: string, sha256: string): boolean => sha256.startsWith(shaPrefix);
