/**
 * Old database states for migration tests: a copy of migrations/<dialect> cut before a given
 * migration, to migrate a fresh database to where an existing deployment stands, fill it the
 * way that version wrote, then open the store (which applies the rest) and check the backfill.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrationsDir } from '../../src/store/migrations-dir.js';

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
