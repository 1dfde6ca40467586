/** The drizzle handle the SQLite repository works on: the database or a transaction of it. */
import type { RunResult } from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { documents } from './schema.js';

/** A synchronous better-sqlite3 drizzle database or transaction. */
export type SqliteDb = BaseSQLiteDatabase<'sync', RunResult>;

/** The columns of a DocumentRow, in one select shape. */
export const documentColumns = {
  key: documents.key,
  id: documents.id,
  text: documents.text,
  metadata: documents.metadata,
  contentHash: documents.contentHash,
  seq: documents.seq,
  createdAt: documents.createdAt,
  updatedAt: documents.updatedAt,
  deletedAt: documents.deletedAt,
};

/** `excluded.<column>` in an ON CONFLICT DO UPDATE clause. */
export const excluded = (column: { name: string }) => sql`excluded.${sql.identifier(column.name)}`;
