/**
 * Classifier heads on SQLite. A new version is numbered inside the IMMEDIATE transaction that
 * inserts it (max + 1), so concurrent trainings of one name get distinct versions.
 */
import { and, asc, desc, eq, getTableColumns, max } from 'drizzle-orm';
import { notFound } from '../../errors.js';
import { checkClassifier, classifierValues, toClassifierRow } from '../classifier-rows.js';
import { COLLECTION_MISSING } from '../rows.js';
import type { ClassifierRow, NewClassifier } from '../types.js';
import { bytesToVector } from '../vector-bytes.js';
import type { SqliteConn } from './conn.js';
import { classifiers, collections } from './schema.js';

const { weights: _weights, ...rowColumns } = getTableColumns(classifiers);

/** Store.createClassifier for SQLite. */
export function createClassifier({ db }: SqliteConn, c: NewClassifier): ClassifierRow {
  checkClassifier(c);
  return db.transaction((tx) => {
    const coll = tx.select({ key: collections.key }).from(collections).where(eq(collections.key, c.collectionKey)).get();
    if (!coll) throw notFound(COLLECTION_MISSING);
    const latest = tx.select({ v: max(classifiers.version) }).from(classifiers)
      .where(and(eq(classifiers.collectionKey, c.collectionKey), eq(classifiers.name, c.name))).get()?.v ?? 0;
    const row = tx.insert(classifiers).values(classifierValues(c, latest + 1, new Date())).returning(rowColumns).get();
    return toClassifierRow(row);
  }, { behavior: 'immediate' });
}

/** Store.getClassifier for SQLite. */
export function getClassifier({ db }: SqliteConn, collectionKey: number, name: string, version?: number | null): ClassifierRow | null {
  const row = db.select(rowColumns).from(classifiers)
    .where(and(eq(classifiers.collectionKey, collectionKey), eq(classifiers.name, name), version == null ? undefined : eq(classifiers.version, version)))
    .orderBy(desc(classifiers.version)).limit(1).get();
  return row ? toClassifierRow(row) : null;
}

/** Store.listClassifiers for SQLite. */
export function listClassifiers({ db }: SqliteConn, collectionKey: number): ClassifierRow[] {
  const latest = db.select({ name: classifiers.name, version: max(classifiers.version).as('latest') }).from(classifiers)
    .where(eq(classifiers.collectionKey, collectionKey)).groupBy(classifiers.name).as('latest');
  return db.select(rowColumns).from(classifiers)
    .innerJoin(latest, and(eq(latest.name, classifiers.name), eq(latest.version, classifiers.version)))
    .where(eq(classifiers.collectionKey, collectionKey))
    .orderBy(asc(classifiers.name)).all().map(toClassifierRow);
}

/** Store.classifierVersions for SQLite. */
export function classifierVersions({ db }: SqliteConn, collectionKey: number, name: string): number[] {
  return db.select({ v: classifiers.version }).from(classifiers)
    .where(and(eq(classifiers.collectionKey, collectionKey), eq(classifiers.name, name)))
    .orderBy(asc(classifiers.version)).all().map((r) => r.v);
}

/** Store.getClassifierWeights for SQLite. */
export function getClassifierWeights({ db }: SqliteConn, classifierKey: number): Float32Array | null {
  const row = db.select({ weights: classifiers.weights }).from(classifiers).where(eq(classifiers.key, classifierKey)).get();
  return row ? bytesToVector(row.weights) : null;
}

/** Store.deleteClassifier for SQLite. */
export function deleteClassifier({ db }: SqliteConn, collectionKey: number, name: string, version?: number | null): number {
  return db.delete(classifiers)
    .where(and(eq(classifiers.collectionKey, collectionKey), eq(classifiers.name, name), version == null ? undefined : eq(classifiers.version, version)))
    .run().changes;
}
