/**
 * Finds the drizzle-kit migrations folder of a dialect (`migrations/sqlite`, `migrations/pg`) by
 * walking up from this file, so it is found from src/ under tsx and from a built dist/ alike.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of `migrations/<dialect>` (the folder holding meta/_journal.json). */
export function migrationsDir(dialect: 'sqlite' | 'pg'): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'migrations', dialect);
    if (existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`store: migrations/${dialect} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
