/**
 * Document writes on SQLite. Each call is one IMMEDIATE transaction (write lock taken at BEGIN, so
 * another process waits on busy_timeout instead of failing at upgrade): documents, vectors and the
 * seq counter commit together or not at all.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { notFound } from '../../errors.js';
import { COLLECTION_MISSING } from '../rows.js';
import type { DocumentWrite, UpsertOutcome } from '../types.js';
import { checkWrites, chunk, lastWins, upsertOutcome, type PriorRow, type WrittenRow } from '../upsert-plan.js';
import { vectorToBytes } from '../vector-bytes.js';
import { excluded, type SqliteDb } from './db.js';
import { allocateSeq } from './seq.js';
import { collections, documents, vectors } from './schema.js';

/** Store.upsertDocuments for SQLite. */
export function upsertDocuments(db: SqliteDb, collectionKey: number, docs: DocumentWrite[]): UpsertOutcome {
  if (docs.length === 0) return { written: [] };
  const winners = lastWins(docs);
  return db.transaction(
    (tx) => {
      const coll = tx.select({ dims: collections.dims }).from(collections).where(eq(collections.key, collectionKey)).get();
      if (!coll) throw notFound(COLLECTION_MISSING);
      checkWrites(winners, coll.dims);
      const prior = new Map<string, PriorRow>();
      for (const ids of chunk(winners.map((d) => d.id))) {
        const rows = tx
          .select({ id: documents.id, key: documents.key, text: documents.text, metadata: documents.metadata, deletedAt: documents.deletedAt })
          .from(documents)
          .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.id, ids)))
          .all();
        for (const r of rows) prior.set(r.id, r);
      }
      const first = allocateSeq(tx, winners.length);
      const now = new Date();
      const written = new Map<string, WrittenRow>();
      let i = 0;
      for (const part of chunk(winners)) {
        const rows = tx
          .insert(documents)
          .values(part.map((d) => ({
            collectionKey, id: d.id, text: d.text, metadata: d.metadata, contentHash: d.contentHash,
            seq: first + i++, createdAt: now, updatedAt: now, deletedAt: null,
          })))
          .onConflictDoUpdate({
            target: [documents.collectionKey, documents.id],
            set: {
              text: excluded(documents.text),
              metadata: excluded(documents.metadata),
              contentHash: excluded(documents.contentHash),
              seq: excluded(documents.seq),
              updatedAt: excluded(documents.updatedAt),
              deletedAt: null,
            },
          })
          .returning({ id: documents.id, key: documents.key, seq: documents.seq })
          .all();
        for (const r of rows) written.set(r.id, { key: r.key, seq: r.seq });
      }
      for (const part of chunk(winners)) {
        tx.insert(vectors)
          .values(part.map((d) => ({ documentKey: written.get(d.id)!.key, vector: vectorToBytes(d.vector) })))
          .onConflictDoUpdate({ target: vectors.documentKey, set: { vector: excluded(vectors.vector) } })
          .run();
      }
      return upsertOutcome(docs, winners, prior, written);
    },
    { behavior: 'immediate' },
  );
}

/** Store.deleteDocuments for SQLite: soft delete, one new seq per live document. */
export function deleteDocuments(db: SqliteDb, collectionKey: number, ids: string[]): number {
  if (ids.length === 0) return 0;
  return db.transaction(
    (tx) => {
      const keys: number[] = [];
      for (const part of chunk([...new Set(ids)])) {
        const rows = tx
          .select({ key: documents.key })
          .from(documents)
          .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.id, part), isNull(documents.deletedAt)))
          .all();
        keys.push(...rows.map((r) => r.key));
      }
      if (keys.length === 0) return 0;
      keys.sort((a, b) => a - b);
      const first = allocateSeq(tx, keys.length);
      const now = new Date();
      keys.forEach((key, i) => {
        tx.update(documents).set({ deletedAt: now, updatedAt: now, seq: first + i }).where(eq(documents.key, key)).run();
      });
      return keys.length;
    },
    { behavior: 'immediate' },
  );
}
