/**
 * Collections on SQLite. Each collection has its own FTS5 keyword index (keyword-index.ts), created
 * and dropped in the transaction that creates or deletes the collection.
 */
import { asc, count, eq } from 'drizzle-orm';
import { conflict } from '../../errors.js';
import { after } from '../conditions.js';
import { isUniqueViolation } from '../driver-error.js';
import { collectionExists, collectionValues, toCollectionRow } from '../rows.js';
import type { CollectionRow, NewCollection, PageRequest } from '../types.js';
import type { SqliteConn } from './conn.js';
import { createKeywordIndex, dropKeywordIndex } from './keyword-index.js';
import { collections } from './schema.js';

/** Store.createCollection for SQLite: the row and its keyword index in one IMMEDIATE transaction. */
export function createCollection({ client, db }: SqliteConn, c: NewCollection): CollectionRow {
  try {
    return client.transaction(() => {
      const row = db.insert(collections).values(collectionValues(c, new Date())).returning().get();
      createKeywordIndex(client, row.key);
      return toCollectionRow(row);
    }).immediate();
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(collectionExists(c.name));
    throw e;
  }
}

/** Store.getCollection for SQLite. */
export function getCollection({ db }: SqliteConn, name: string): CollectionRow | null {
  const row = db.select().from(collections).where(eq(collections.name, name)).get();
  return row ? toCollectionRow(row) : null;
}

/** Store.listCollections for SQLite. */
export function listCollections({ db }: SqliteConn, page: PageRequest): CollectionRow[] {
  return db.select().from(collections).where(after(collections.key, page.afterKey))
    .orderBy(asc(collections.key)).limit(page.first).all().map(toCollectionRow);
}

/** Store.countCollections for SQLite. */
export function countCollections({ db }: SqliteConn): number {
  return db.select({ n: count() }).from(collections).get()?.n ?? 0;
}

/** Store.collectionKeys for SQLite. */
export function collectionKeys({ db }: SqliteConn): number[] {
  return db.select({ key: collections.key }).from(collections).orderBy(asc(collections.key)).all().map((r) => r.key);
}

/** Store.collectionVersions for SQLite. */
export function collectionVersions({ db }: SqliteConn): { key: number; bindingVersion: number }[] {
  return db.select({ key: collections.key, bindingVersion: collections.bindingVersion }).from(collections).orderBy(asc(collections.key)).all();
}

/** Store.deleteCollection for SQLite: cascades to documents, vectors, jobs, clusterings and heads. */
export function deleteCollection({ client, db }: SqliteConn, name: string): boolean {
  return client.transaction(() => {
    const row = db.select({ key: collections.key }).from(collections).where(eq(collections.name, name)).get();
    if (!row) return false;
    // the keyword index first: its triggers would otherwise un-index every cascaded document one by one
    dropKeywordIndex(client, row.key);
    return db.delete(collections).where(eq(collections.key, row.key)).run().changes > 0;
  }).immediate();
}
