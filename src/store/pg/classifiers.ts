/**
 * Classifier heads on PostgreSQL. A new version is numbered (max + 1) inside a transaction that
 * holds a per-collection advisory lock of its own key space, so concurrent trainings of one name
 * (also on other replicas) get distinct versions.
 */
import { and, asc, desc, eq, getTableColumns, max, sql } from 'drizzle-orm';
import { notFound } from '../../errors.js';
import { checkClassifier, classifierValues, toClassifierRow } from '../classifier-rows.js';
import { COLLECTION_MISSING } from '../rows.js';
import type { ClassifierRow, NewClassifier } from '../types.js';
import { bytesToVector } from '../vector-bytes.js';
import { LOCK_SPACE, type PgDb } from './db.js';
import { classifiers, collections } from './schema.js';

/** Advisory lock space of classifier versions (documents use LOCK_SPACE). */
const VERSION_LOCK_SPACE = LOCK_SPACE + 1;

const { weights: _weights, ...rowColumns } = getTableColumns(classifiers);

/** Store.createClassifier for PostgreSQL. */
export async function createClassifier(db: PgDb, c: NewClassifier): Promise<ClassifierRow> {
  checkClassifier(c);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${VERSION_LOCK_SPACE}::int, ${c.collectionKey}::int)`);
    // FOR SHARE holds off a concurrent deleteCollection until this commits.
    const [coll] = await tx.select({ key: collections.key }).from(collections).where(eq(collections.key, c.collectionKey)).for('share');
    if (!coll) throw notFound(COLLECTION_MISSING);
    const [latest] = await tx.select({ v: max(classifiers.version) }).from(classifiers)
      .where(and(eq(classifiers.collectionKey, c.collectionKey), eq(classifiers.name, c.name)));
    const [row] = await tx.insert(classifiers).values(classifierValues(c, (latest?.v ?? 0) + 1, new Date())).returning(rowColumns);
    return toClassifierRow(row!);
  });
}

/** Store.getClassifier for PostgreSQL. */
export async function getClassifier(db: PgDb, collectionKey: number, name: string, version?: number | null): Promise<ClassifierRow | null> {
  const [row] = await db.select(rowColumns).from(classifiers)
    .where(and(eq(classifiers.collectionKey, collectionKey), eq(classifiers.name, name), version == null ? undefined : eq(classifiers.version, version)))
    .orderBy(desc(classifiers.version)).limit(1);
  return row ? toClassifierRow(row) : null;
}

/** Store.listClassifiers for PostgreSQL. */
export async function listClassifiers(db: PgDb, collectionKey: number): Promise<ClassifierRow[]> {
  const rows = await db.selectDistinctOn([classifiers.name], rowColumns).from(classifiers)
    .where(eq(classifiers.collectionKey, collectionKey))
    .orderBy(asc(classifiers.name), desc(classifiers.version));
  return rows.map(toClassifierRow);
}

/** Store.classifierVersions for PostgreSQL. */
export async function classifierVersions(db: PgDb, collectionKey: number, name: string): Promise<number[]> {
  const rows = await db.select({ v: classifiers.version }).from(classifiers)
    .where(and(eq(classifiers.collectionKey, collectionKey), eq(classifiers.name, name)))
    .orderBy(asc(classifiers.version));
  return rows.map((r) => r.v);
}

/** Store.getClassifierWeights for PostgreSQL. */
export async function getClassifierWeights(db: PgDb, classifierKey: number): Promise<Float32Array | null> {
  const [row] = await db.select({ weights: classifiers.weights }).from(classifiers).where(eq(classifiers.key, classifierKey));
  return row ? bytesToVector(row.weights) : null;
}

/** Store.deleteClassifier for PostgreSQL. */
export async function deleteClassifier(db: PgDb, collectionKey: number, name: string, version?: number | null): Promise<number> {
  const rows = await db.delete(classifiers)
    .where(and(eq(classifiers.collectionKey, collectionKey), eq(classifiers.name, name), version == null ? undefined : eq(classifiers.version, version)))
    .returning({ key: classifiers.key });
  return rows.length;
}
