/**
 * Document writes on SQLite. Each call is one IMMEDIATE transaction (write lock taken at BEGIN, so
 * another process waits on busy_timeout instead of failing at upgrade): documents, vectors and the
 * seq counter commit together or not at all. The statements are prepared once per connection
 * (hot-writes.ts); the keyword index follows through its triggers.
 */
import { notFound } from '../../errors.js';
import { COLLECTION_MISSING } from '../rows.js';
import type { DocumentWrite, UpsertOutcome } from '../types.js';
import { checkWrites, lastWins, upsertOutcome, type PriorRow } from '../upsert-plan.js';
import type { HotWrites } from './hot-writes.js';

/** Store.upsertDocuments for SQLite. */
export function upsertDocuments(w: HotWrites, collectionKey: number, docs: DocumentWrite[]): UpsertOutcome {
  if (docs.length === 0) return { written: [] };
  const winners = lastWins(docs);
  return w.immediate(() => {
    const dims = w.dims(collectionKey);
    if (dims === undefined) throw notFound(COLLECTION_MISSING);
    checkWrites(winners, dims);
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
    return upsertOutcome(docs, winners, prior, written);
  });
}

/** Store.deleteDocuments for SQLite: soft delete, one new seq per live document, in key order. */
export function deleteDocuments(w: HotWrites, collectionKey: number, ids: string[]): number {
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
