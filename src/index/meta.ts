/**
 * The metadata file saved beside an index file (`<name>.meta.json`): the build parameters, the
 * store seq the index reflects, and what the index file must be (size, sha256, element count,
 * tombstoned keys, which hnswlib's API cannot list). Written after the index file, atomically.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './files.js';
import type { FileExpectation } from './protocol.js';
import type { IndexParams } from './types.js';

/** Bumped whenever the layout of the meta or index file changes; other versions are rebuilt. */
export const META_FORMAT = 1;

/** The parsed meta file. */
export interface IndexMeta extends FileExpectation {
  format: number;
  dims: number;
  metric: IndexParams['metric'];
  m: number;
  efConstruction: number;
  moduleSha256: string;
  seq: number;
  /** Live vectors at save time. */
  size: number;
  savedAt: string;
}

const BUILD_KEYS = ['dims', 'metric', 'm', 'efConstruction', 'moduleSha256'] as const;

/** Reads a meta file; returns the reason instead when it is missing or unreadable. */
export async function readMeta(path: string): Promise<IndexMeta | string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? `no meta file ${path}` : `meta file unreadable: ${(e as Error).message}`;
  }
  try {
    const meta = JSON.parse(text) as IndexMeta;
    if (typeof meta !== 'object' || meta === null || typeof meta.format !== 'number') return 'meta file has no format version';
    if (meta.format !== META_FORMAT) return `meta format ${meta.format} is not supported (expected ${META_FORMAT})`;
    const fields = [meta.bytes, meta.count, meta.seq, meta.size];
    if (!fields.every(Number.isSafeInteger) || typeof meta.sha256 !== 'string' || !Array.isArray(meta.deletedKeys)) {
      return 'meta file is incomplete';
    }
    return meta;
  } catch (e) {
    return `meta file is not valid JSON: ${(e as Error).message}`;
  }
}

/** Why a saved index cannot serve `params` (build parameters differ), or null when it can. */
export function paramsMismatch(meta: IndexMeta, params: IndexParams): string | null {
  const diffs = BUILD_KEYS.filter((k) => meta[k] !== params[k]).map((k) => `${k} changed (file ${String(meta[k])}, wanted ${String(params[k])})`);
  return diffs.length ? diffs.join('; ') : null;
}

/** Writes the meta file atomically. */
export async function writeMeta(path: string, meta: IndexMeta): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(meta)}\n`);
}
