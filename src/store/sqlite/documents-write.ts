/**
 * Document writes on SQLite. Each call is one IMMEDIATE transaction (write lock taken at BEGIN, so
 * another process waits on busy_timeout instead of failing at upgrade): documents, vectors and the
 * seq counter commit together or not at all, and an upsert checks the module binding inside it
 * (binding.ts). Upserts and deletes run on statements prepared once per connection
 * (hot-writes.ts); metadata patches (classify runs) go through drizzle. The keyword index follows
 * through its triggers.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { notFound } from '../../errors.js';
import { COLLECTION_MISSING } from '../rows.js';
import { checkEmbeddedWith } from '../binding.js';
import type { DocumentWrite, EmbeddedWith, MetadataPatch, UpsertOutcome } from '../types.js';
import { checkWrites, chunk, lastWins, upsertOutcome, vectorRows, type PriorRow } from '../upsert-plan.js';
import type { SqliteConn } from './conn.js';
import { documents } from './schema.js';
import { allocateSeq } from './seq.js';

/** Store.upsertDocuments for SQLite. */
export function upsertDocuments({ writes: w }: SqliteConn, collectionKey: number, docs: DocumentWrite[], embedded?: EmbeddedWith): UpsertOutcome {
  if (docs.length === 0) return { written: [] };
  const winners = lastWins(docs);
  return w.immediate(() => {
    const c = w.target(collectionKey);
    if (c === undefined) throw notFound(COLLECTION_MISSING);
    const withTarget = checkEmbeddedWith(c, embedded);
    checkWrites(winners, c.dims, withTarget ? c.migration!.target.dims : null);
    // The driver binds an unpaired surrogate as U+FFFD, so such an id would be stored as another id.
    // Refused as a failed write, as before (services/validate.ts refuses such ids first).
    if (!winners.every((d) => d.id.isWellFormed())) throw new Error('a document id holds an unpaired UTF-16 surrogate');
    const prior = new Map<string, PriorRow>();
    for (const d of winners) {
      const p = w.prior(collectionKey, d.id);
      if (p) prior.set(d.id, p);
    }
    const first = w.allocateSeq(winners.length);
    const now = new Date();
    const written = w.upsert(collectionKey, winners, first, now);
    for (const [id, p] of prior) if (p.deletedAt !== null) w.touch(p.key, written.get(id)!.seq);
    w.vectors(collectionKey, vectorRows(winners, written, c.moduleSha256, withTarget ? c.migration!.target.sha256 : null));
    return upsertOutcome(docs, winners, prior, written);
  });
}

/** Store.deleteDocuments for SQLite: soft delete, one new seq per live document, in key order. */
export function deleteDocuments({ writes: w }: SqliteConn, collectionKey: number, ids: string[]): number {
  if (ids.length === 0) return 0;
  return w.immediate(() => {
    const keys: number[] = [];
    for (const id of new Set(ids)) {
      const key = w.liveKey(collectionKey, id);
      if (key !== undefined) keys.push(key);
    }
    if (keys.length === 0) return 0;
    keys.sort((a, b) => a - b);
    const first = w.allocateSeq(keys.length);
    const now = new Date();
    w.delete(keys, first, now);
    return keys.length;
  });
}

/** Store.patchDocumentMetadata for SQLite: one IMMEDIATE transaction, one new seq per patched document. */
export function patchDocumentMetadata({ db }: SqliteConn, collectionKey: number, patches: MetadataPatch[]): number {
  if (patches.length === 0) return 0;
  const byKey = new Map(patches.map((p) => [p.key, p]));
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
      const patch = byKey.get(doc.key)!;
      const kept = { ...(doc.metadata ?? {}) };
      for (const name of patch.unset ?? []) delete kept[name];
      tx.update(documents).set({ metadata: { ...kept, ...patch.set }, seq: first + i, updatedAt: now })
        .where(eq(documents.key, doc.key)).run();
    });
    return live.length;
  }, { behavior: 'immediate' });
}
