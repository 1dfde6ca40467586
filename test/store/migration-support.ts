/**
 * Old database states for migration tests: a copy of migrations/<dialect> cut before a given
 * migration, to migrate a fresh database to where an existing deployment stands, fill it the
 * way that version wrote, then open the store (which applies the rest) and check the backfill.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { migrationsDir } from '../../src/store/migrations-dir.js';
import type { Store } from '../../src/store/types.js';
import { doc } from './suite-support.js';

interface Journal {
  entries: { tag: string }[];
}

/** A temporary migrations folder (the caller removes it) holding the migrations of `dialect` before `tag`. */
export function migrationsBefore(dialect: 'sqlite' | 'pg', tag: string): string {
  const out = mkdtempSync(path.join(os.tmpdir(), `semhub-migrations-${dialect}-`));
  cpSync(migrationsDir(dialect), out, { recursive: true });
  const file = path.join(out, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(file, 'utf8')) as Journal;
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at < 0) throw new Error(`no migration ${tag} in migrations/${dialect}`);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(file, JSON.stringify(journal));
  return out;
}

/**
 * What a store opened on a database written before module migrations must show: collection "old"
 * bound to module "s1" (2-d), document "kept" (live, hash h1) and "gone" (deleted after it, h2),
 * each with the vector [1, 2]. Their vectors are s1's, in the change feed at their documents' seqs,
 * reused by content hash, not stale, and replaced by a new write.
 */
export async function expectVectorsKeyedByModule(store: Store): Promise<void> {
  const c = (await store.getCollection('old'))!;
  expect(c).toMatchObject({ module: { sha256: 's1', dims: 2 }, previousModule: null, migration: null, bindingVersion: 0 });
  const [kept] = await store.getDocumentsByIds(c.key, ['kept']);
  const changes = await store.changesSince(c.key, 's1', 0, 10);
  const gone = changes.at(-1)!;
  expect(changes).toEqual([
    { key: kept!.key, seq: kept!.seq, deleted: false, vector: Float32Array.from([1, 2]) },
    { key: gone.key, seq: gone.seq, deleted: true, vector: null },
  ]);
  expect(gone.seq).toBeGreaterThan(kept!.seq);
  expect((await store.vectorsByContentHash(c.key, 's1', ['h1', 'h2'])).size).toBe(2);
  expect(await store.countStale(c.key, 's1')).toBe(0);
  await store.upsertDocuments(c.key, [{ ...doc('kept', 'a new text'), vector: Float32Array.from([3, 4]) }], { module: 's1' });
  expect(await store.getVectorsByKeys(c.key, 's1', [kept!.key])).toEqual([Float32Array.from([3, 4])]);
}
