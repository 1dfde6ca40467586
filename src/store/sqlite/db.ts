/** The drizzle handle the SQLite functions work on (the database or a transaction of it), and shared select shapes. */
import type { RunResult } from 'better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { documentColumnsOf } from '../rows.js';
import { documents } from './schema.js';

/** A synchronous better-sqlite3 drizzle database or transaction. */
export type SqliteDb = BaseSQLiteDatabase<'sync', RunResult>;

/** The columns of a DocumentRow, in one select shape. */
export const documentColumns = documentColumnsOf(documents);
