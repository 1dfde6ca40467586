/**
 * Classifier heads on SQLite (and the stale sweep of classify jobs, and metadata patches). A new version is numbered inside the IMMEDIATE transaction that
 * inserts it (max + 1), so concurrent trainings of one name get distinct versions.
 */
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lt, max } from 'drizzle-orm';
import { notFound } from '../../errors.js';
import { checkClassifier, classifierValues, toClassifierRow } from '../classifier-rows.js';
import { COLLECTION_MISSING } from '../rows.js';
import type { Filter } from '../filter-ast.js';
import type { ClassifierRow, MetadataPatch, NewClassifier, PageRequest } from '../types.js';
import { chunk } from '../upsert-plan.js';
import { bytesToVector } from '../vector-bytes.js';
import type { SqliteDb } from './db.js';
import { compileFilter } from './filter.js';
import { classifiers, collections, documents, jobs, vectors } from './schema.js';
import { allocateSeq } from './seq.js';

const { weights: _weights, ...rowColumns } = getTableColumns(classifiers);

/** Store.createClassifier for SQLite. */
export function createClassifier(db: SqliteDb, c: NewClassifier): ClassifierRow {
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
export function getClassifier(db: SqliteDb, collectionKey: number, name: string, version?: number | null): ClassifierRow | null {
  const row = db.select(rowColumns).from(classifiers)
    .where(and(eq(classifiers.collectionKey, collectionKey), eq(classifiers.name, name), version == null ? undefined : eq(classifiers.version, version)))
    .orderBy(desc(classifiers.version)).limit(1).get();
  return row ? toClassifierRow(row) : null;
}

/** Store.listClassifiers for SQLite. */
export function listClassifiers(db: SqliteDb, collectionKey: number): ClassifierRow[] {
  const latest = db.select({ name: classifiers.name, version: max(classifiers.version).as('latest') }).from(classifiers)
    .where(eq(classifiers.collectionKey, collectionKey)).groupBy(classifiers.name).as('latest');
  return db.select(rowColumns).from(classifiers)
    .innerJoin(latest, and(eq(latest.name, classifiers.name), eq(latest.version, classifiers.version)))
    .where(eq(classifiers.collectionKey, collectionKey))
    .orderBy(asc(classifiers.name)).all().map(toClassifierRow);
}

/** Store.classifierVersions for SQLite. */
export function classifierVersions(db: SqliteDb, collectionKey: number, name: string): number[] {
  return db.select({ v: classifiers.version }).from(classifiers)
    .where(and(eq(classifiers.collectionKey, collectionKey), eq(classifiers.name, name)))
    .orderBy(asc(classifiers.version)).all().map((r) => r.v);
}

/** Store.getClassifierWeights for SQLite. */
export function getClassifierWeights(db: SqliteDb, classifierKey: number): Float32Array | null {
  const row = db.select({ weights: classifiers.weights }).from(classifiers).where(eq(classifiers.key, classifierKey)).get();
  return row ? bytesToVector(row.weights) : null;
}

/** Store.deleteClassifier for SQLite. */
export function deleteClassifier(db: SqliteDb, collectionKey: number, name: string, version?: number | null): number {
  return db.delete(classifiers)
    .where(and(eq(classifiers.collectionKey, collectionKey), eq(classifiers.name, name), version == null ? undefined : eq(classifiers.version, version)))
    .run().changes;
}

/** Store.patchDocumentMetadata for SQLite: one IMMEDIATE transaction, one new seq per patched document. */
export function patchDocumentMetadata(db: SqliteDb, collectionKey: number, patches: MetadataPatch[]): number {
  if (patches.length === 0) return 0;
  const byKey = new Map(patches.map((p) => [p.key, p.set]));
  return db.transaction((tx) => {
    const live: { key: number; metadata: Record<string, unknown> | null }[] = [];
    for (const part of chunk([...byKey.keys()])) {
      live.push(...tx.select({ key: documents.key, metadata: documents.metadata }).from(documents)
        .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.key, part), isNull(documents.deletedAt))).all());
    }
    if (live.length === 0) return 0;
    live.sort((a, b) => a.key - b.key);
    const first = allocateSeq(tx, live.length);
    const now = new Date();
    live.forEach((doc, i) => {
      tx.update(documents).set({ metadata: { ...(doc.metadata ?? {}), ...byKey.get(doc.key)! }, seq: first + i, updatedAt: now })
        .where(eq(documents.key, doc.key)).run();
    });
    return live.length;
  }, { behavior: 'immediate' });
}

/** Store.failStaleJobs for SQLite. */
export function failStaleJobs(db: SqliteDb, kind: string, staleBefore: Date, error: string): string[] {
  return db.update(jobs).set({ status: 'FAILED', error, updatedAt: new Date() })
    .where(and(eq(jobs.kind, kind), inArray(jobs.status, ['PENDING', 'RUNNING']), lt(jobs.updatedAt, staleBefore)))
    .returning({ id: jobs.id }).all().map((r) => r.id);
}

/** Store.vectorsWithMetadata for SQLite. */
export function vectorsWithMetadata(db: SqliteDb, collectionKey: number, filter: Filter | null, page: PageRequest) {
  return db.select({ key: documents.key, metadata: documents.metadata, vector: vectors.vector }).from(documents)
    .innerJoin(vectors, eq(vectors.documentKey, documents.key))
    .where(and(eq(documents.collectionKey, collectionKey), isNull(documents.deletedAt),
      page.afterKey === undefined ? undefined : gt(documents.key, page.afterKey), filter ? compileFilter(filter) : undefined))
    .orderBy(asc(documents.key)).limit(page.first).all()
    .map((r) => ({ key: r.key, metadata: r.metadata ?? null, vector: bytesToVector(r.vector) }));
}
