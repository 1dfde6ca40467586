/**
 * Opens the SQLite store: `<dataDir>/semhub.db` (the folder is created), tuned and migrated.
 * - journal_mode=WAL: readers never block the writer; the -wal and -shm files live beside the db.
 * - synchronous=NORMAL: in WAL mode a commit is appended to the WAL before it returns, so it
 *   survives a crash of the process; only an OS crash or power loss can drop the last commits
 *   (fsync happens at checkpoints). FULL would fsync every commit.
 * - foreign_keys=ON (off by default in SQLite) makes ON DELETE CASCADE work.
 * - busy_timeout: another process (e.g. `semhub ingest` next to a server) waits, not SQLITE_BUSY.
 * Migrations from migrations/sqlite are applied before the store is returned.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { bindStore } from '../bind.js';
import { openError } from '../driver-error.js';
import { migrationsDir } from '../migrations-dir.js';
import type { Store } from '../types.js';
import * as classifiers from './classifiers.js';
import * as clusterReview from './cluster-review.js';
import * as clusterings from './clusterings.js';
import * as collections from './collections.js';
import { sqliteConn } from './conn.js';
import type { SqliteDb } from './db.js';
import * as documentReads from './documents-read.js';
import * as documentWrites from './documents-write.js';
import * as jobs from './jobs.js';
import * as moduleMigration from './module-migration.js';
import * as modules from './modules.js';
import { ensureKeywordIndexes } from './keyword-index.js';
import * as search from './search-read.js';

/** File name of the database inside the data folder. */
const SQLITE_FILE = 'semhub.db';

/** Default busy_timeout in milliseconds. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * The Store on one open, migrated connection. better-sqlite3 is synchronous and the store owns the
 * connection, so every call runs to completion before the next starts: concurrent async callers
 * cannot interleave inside a transaction, and writes are never lost to races.
 */
function sqliteStore(client: Database.Database, db: SqliteDb): Store {
  return bindStore({
    name: 'sqlite',
    context: sqliteConn(client, db),
    functions: { collections, search, clusterings, clusterReview, classifiers, jobs, modules, moduleMigration, documents: { ...documentReads, ...documentWrites } },
    /** Closes the connection (a WAL checkpoint runs on close). */
    close() {
      if (!client.open) return;
      client.pragma('optimize');
      client.close();
    },
  });
}

/** Opens (creating if needed) and migrates the SQLite store in `dataDir`. */
export async function openSqliteStore(dataDir: string): Promise<Store> {
  const file = path.join(dataDir, SQLITE_FILE);
  let client: Database.Database | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    client = new Database(file);
    client.pragma('journal_mode = WAL');
    client.pragma('synchronous = NORMAL');
    client.pragma('foreign_keys = ON');
    client.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const db = drizzle({ client });
    const folder = migrationsDir('sqlite');
    try {
      migrate(db, { migrationsFolder: folder });
    } catch {
      // Two processes opening a fresh file at once both see "nothing applied"; the loser's
      // CREATE TABLE fails once the winner commits. A second pass finds everything applied.
      migrate(db, { migrationsFolder: folder });
    }
    ensureKeywordIndexes(client);
    return sqliteStore(client, db);
  } catch (e) {
    client?.close();
    throw openError(`SQLite database ${file}`, e);
  }
}
