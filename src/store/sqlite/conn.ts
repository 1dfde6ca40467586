/**
 * What every SQLite store function takes first: the one better-sqlite3 connection, its drizzle
 * handle, and the hot statements prepared once on it (hot-reads.ts, hot-writes.ts).
 */
import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { SqliteDb } from './db.js';
import { HotReads } from './hot-reads.js';
import { HotWrites } from './hot-writes.js';

export interface SqliteConn {
  readonly client: Database.Database;
  readonly db: SqliteDb;
  readonly reads: HotReads;
  readonly writes: HotWrites;
}

/** The context of an open, migrated connection (prepares the hot statements). */
export function sqliteConn(client: Database.Database, db: SqliteDb = drizzle({ client })): SqliteConn {
  return { client, db, reads: new HotReads(client), writes: new HotWrites(client) };
}
