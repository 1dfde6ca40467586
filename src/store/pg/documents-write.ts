/**
 * Document writes on PostgreSQL (upserts, soft deletes, metadata patches), each one transaction.
 * Ordering: a write first takes the
 * transaction-scoped advisory lock of its collection, then draws seq values (nextval), then
 * commits and releases. Writers of one collection therefore commit in seq order, so a reader of
 * `changesSince(c, s)` never later sees a commit with a seq at or below one it already read
 * (a bare sequence gives no such promise: a low nextval may commit after a high one).
 */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { notFound } from '../../errors.js';
import { COLLECTION_MISSING } from '../rows.js';
import { checkEmbeddedWith } from '../binding.js';
import type { DocumentWrite, EmbeddedWith, MetadataPatch, UpsertOutcome } from '../types.js';
import { checkWrites, chunk, lastWins, upsertOutcome, vectorRows, type PriorRow, type VectorRow, type WrittenRow } from '../upsert-plan.js';
import { vectorToBytes } from '../vector-bytes.js';
import { excluded, LOCK_SPACE, NEXT_SEQ, notifyChange, type PgDb, type PgTx } from './db.js';
import { collections, documents, vectors } from './schema.js';

/** Serializes the writers of one collection (and its binding changes: module-migration.ts) until the transaction ends. */
export async function lockCollection(tx: PgTx, collectionKey: number): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_SPACE}::int, ${collectionKey}::int)`);
}

/** Inserts or replaces vectors by (document, module). */
/**
 * Inserts or replaces vectors by (document, module): one statement per module, its rows as four
 * arrays (unnest), so the statement's size does not grow with the rows (drizzle's multi-row VALUES
 * cost more CPU to build than the write itself).
 */
export async function writeVectors(tx: PgTx, collectionKey: number, rows: readonly VectorRow[]): Promise<void> {
  for (const module of new Set(rows.map((r) => r.module))) {
    const mine = rows.filter((r) => r.module === module);
    await tx.execute(sql`
      INSERT INTO ${vectors} (document_key, module_sha256, collection_key, seq, content_hash, vector)
      SELECT k, ${module}, ${collectionKey}::int, s, h, v
      FROM unnest(${sql.param(mine.map((r) => r.key))}::bigint[], ${sql.param(mine.map((r) => r.seq))}::bigint[],
                  ${sql.param(mine.map((r) => r.contentHash))}::text[], ${sql.param(mine.map((r) => vectorToBytes(r.vector)))}::bytea[]) AS t(k, s, h, v)
      ON CONFLICT (document_key, module_sha256) DO UPDATE SET seq = excluded.seq, content_hash = excluded.content_hash, vector = excluded.vector`);
  }
}

/** Gives every vector (of any module) of the documents `keys` their document's seq: every index applies them again (a delete, a revival). */
async function touchVectors(tx: PgTx, keys: readonly number[]): Promise<void> {
  await tx.update(vectors).set({ seq: sql`${documents.seq}` }).from(documents)
    .where(and(eq(documents.key, vectors.documentKey), inArray(vectors.documentKey, [...keys])));
}

/** Tells every process that the collection reached `seq` (see notifyChange). */
const notifySeq = (tx: PgTx, collectionKey: number, seq: number) => notifyChange(tx, { kind: 'documents', collectionKey, seq });

/** Store.upsertDocuments for PostgreSQL. */
export async function upsertDocuments(db: PgDb, collectionKey: number, docs: DocumentWrite[], embedded?: EmbeddedWith): Promise<UpsertOutcome> {
  if (docs.length === 0) return { written: [] };
  const winners = lastWins(docs);
  return db.transaction(async (tx) => {
    await lockCollection(tx, collectionKey);
    // FOR SHARE holds off a concurrent deleteCollection, and a swap of the module (FOR UPDATE), until this write commits.
    const [coll] = await tx.select({ dims: collections.dims, moduleSha256: collections.moduleSha256, migration: collections.migration }).from(collections)
      .where(eq(collections.key, collectionKey)).for('share');
    if (!coll) throw notFound(COLLECTION_MISSING);
    const withTarget = checkEmbeddedWith(coll, embedded);
    checkWrites(winners, coll.dims, withTarget ? coll.migration!.target.dims : null);
    const prior = new Map<string, PriorRow>();
    for (const ids of chunk(winners.map((d) => d.id))) {
      const rows = await tx
        .select({ id: documents.id, key: documents.key, text: documents.text, metadata: documents.metadata, deletedAt: documents.deletedAt })
        .from(documents)
        .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.id, ids)));
      for (const r of rows) prior.set(r.id, r);
    }
    const now = new Date();
    const written = new Map<string, WrittenRow>();
    for (const part of chunk(winners)) {
      const rows = await tx
        .insert(documents)
        .values(part.map((d) => ({
          collectionKey, id: d.id, text: d.text, metadata: d.metadata, contentHash: d.contentHash,
          seq: NEXT_SEQ, createdAt: now, updatedAt: now, deletedAt: null,
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
        .returning({ id: documents.id, key: documents.key, seq: documents.seq });
      for (const r of rows) written.set(r.id, { key: r.key, seq: r.seq });
    }
    const revived = [...prior.values()].filter((p) => p.deletedAt !== null).map((p) => p.key);
    for (const part of chunk(revived)) await touchVectors(tx, part);
    for (const part of chunk(vectorRows(winners, written, coll.moduleSha256, withTarget ? coll.migration!.target.sha256 : null))) {
      await writeVectors(tx, collectionKey, part);
    }
    await notifySeq(tx, collectionKey, Math.max(...[...written.values()].map((w) => w.seq)));
    return upsertOutcome(docs, winners, prior, written);
  });
}

/** Store.deleteDocuments for PostgreSQL: soft delete, one new seq per live document. */
export async function deleteDocuments(db: PgDb, collectionKey: number, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return db.transaction(async (tx) => {
    await lockCollection(tx, collectionKey);
    const now = new Date();
    let n = 0;
    let maxSeq = 0;
    for (const part of chunk([...new Set(ids)])) {
      const rows = await tx.update(documents)
        .set({ deletedAt: now, updatedAt: now, seq: NEXT_SEQ })
        .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.id, part), isNull(documents.deletedAt)))
        .returning({ key: documents.key, seq: documents.seq });
      if (rows.length) await touchVectors(tx, rows.map((r) => r.key));
      n += rows.length;
      for (const r of rows) maxSeq = Math.max(maxSeq, r.seq);
    }
    if (n > 0) await notifySeq(tx, collectionKey, maxSeq);
    return n;
  });
}

/** Store.patchDocumentMetadata for PostgreSQL: one transaction under the collection's writer lock, one nextval per patched document. */
export async function patchDocumentMetadata(db: PgDb, collectionKey: number, patches: MetadataPatch[]): Promise<number> {
  if (patches.length === 0) return 0;
  const byKey = new Map(patches.map((p) => [p.key, p]));
  return db.transaction(async (tx) => {
    await lockCollection(tx, collectionKey);
    const now = new Date();
    let n = 0;
    let maxSeq = 0;
    for (const part of chunk([...byKey.keys()].sort((a, b) => a - b))) {
      const live = await tx.select({ key: documents.key }).from(documents)
        .where(and(eq(documents.collectionKey, collectionKey), inArray(documents.key, part), isNull(documents.deletedAt)))
        .orderBy(asc(documents.key)).for('update');
      for (const { key } of live) {
        const patch = byKey.get(key)!;
        const kept = patch.unset?.length
          ? sql`(coalesce(${documents.metadata}, '{}'::jsonb) - array[${sql.join(patch.unset.map((k) => sql`${k}`), sql`, `)}]::text[])`
          : sql`coalesce(${documents.metadata}, '{}'::jsonb)`;
        const [row] = await tx.update(documents)
          .set({ metadata: sql`${kept} || ${JSON.stringify(patch.set)}::jsonb`, seq: NEXT_SEQ, updatedAt: now })
          .where(eq(documents.key, key))
          .returning({ seq: documents.seq });
        if (row) maxSeq = Math.max(maxSeq, row.seq);
      }
      n += live.length;
    }
    if (n > 0) await notifySeq(tx, collectionKey, maxSeq);
    return n;
  });
}
