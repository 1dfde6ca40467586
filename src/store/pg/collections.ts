/** Collections on PostgreSQL. */
import { asc, count, eq } from 'drizzle-orm';
import { conflict } from '../../errors.js';
import { after } from '../conditions.js';
import { isUniqueViolation } from '../driver-error.js';
import { collectionExists, collectionValues, toCollectionRow } from '../rows.js';
import type { CollectionRow, NewCollection, PageRequest } from '../types.js';
import { notifyChange, type PgDb } from './db.js';
import { collections } from './schema.js';

/** Store.createCollection for PostgreSQL: the row and its `collection` change notice in one transaction. */
export async function createCollection(db: PgDb, c: NewCollection): Promise<CollectionRow> {
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx.insert(collections).values(collectionValues(c, new Date())).returning();
      await notifyChange(tx, { kind: 'collection', collectionKey: row!.key, name: row!.name, deleted: false });
      return toCollectionRow(row!);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(collectionExists(c.name));
    throw e;
  }
}

/** Store.getCollection for PostgreSQL. */
export async function getCollection(db: PgDb, name: string): Promise<CollectionRow | null> {
  const [row] = await db.select().from(collections).where(eq(collections.name, name));
  return row ? toCollectionRow(row) : null;
}

/** Store.listCollections for PostgreSQL. */
export async function listCollections(db: PgDb, page: PageRequest): Promise<CollectionRow[]> {
  const rows = await db.select().from(collections).where(after(collections.key, page.afterKey))
    .orderBy(asc(collections.key)).limit(page.first);
  return rows.map(toCollectionRow);
}

/** Store.countCollections for PostgreSQL. */
export async function countCollections(db: PgDb): Promise<number> {
  const [row] = await db.select({ n: count() }).from(collections);
  return row?.n ?? 0;
}

/** Store.collectionKeys for PostgreSQL. */
export async function collectionKeys(db: PgDb): Promise<number[]> {
  const rows = await db.select({ key: collections.key }).from(collections).orderBy(asc(collections.key));
  return rows.map((r) => r.key);
}

/** Store.collectionVersions for PostgreSQL. */
export async function collectionVersions(db: PgDb): Promise<{ key: number; bindingVersion: number }[]> {
  return db.select({ key: collections.key, bindingVersion: collections.bindingVersion }).from(collections).orderBy(asc(collections.key));
}

/**
 * Store.deleteCollection for PostgreSQL: cascades to documents, vectors, jobs, clusterings and
 * heads, and sends the `collection` change notice in the same transaction.
 */
export async function deleteCollection(db: PgDb, name: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx.delete(collections).where(eq(collections.name, name)).returning({ key: collections.key });
    if (row) await notifyChange(tx, { kind: 'collection', collectionKey: row.key, name, deleted: true });
    return Boolean(row);
  });
}
