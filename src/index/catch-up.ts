/**
 * Brings an index up to date with the store's change log (Store.changesSince): the index is a
 * cache of the store, so on start it is loaded and then caught up, or rebuilt from seq 0.
 */
import { invariant } from '../errors.js';
import type { VectorIndex } from './types.js';

/**
 * One change of the store's log as catch-up reads it: a live document's key with its vector, or a
 * deletion, at its change sequence. The index states what it needs and the services hand it the
 * store's `changesSince` rows, which have this shape: neither layer imports the other.
 */
export interface Change {
  key: number;
  seq: number;
  deleted: boolean;
  vector: Float32Array | null;
}

/**
 * Applies every change after `index.seq`, `pageSize` (default 2000) at a time, in seq order:
 * live documents are upserted with their vector, deletions removed. Within a page only the
 * latest change of a key counts; each page records its last seq. Returns the changes applied.
 */
export async function catchUp(
  index: VectorIndex,
  changesSince: (afterSeq: number, limit: number) => Promise<Change[]>,
  pageSize = 2000,
): Promise<number> {
  invariant(Number.isInteger(pageSize) && pageSize > 0, `pageSize must be a positive integer (got ${pageSize})`);
  let applied = 0;
  for (;;) {
    const after = index.seq;
    const page = await changesSince(after, pageSize);
    if (page.length === 0) return applied;
    // the last change of a key within the page wins; pages arrive in seq order
    const latest = new Map<number, Change>();
    let last = after;
    for (const c of page) {
      invariant(c.seq > last, `changesSince(${after}) returned seq ${c.seq} after ${last}: changes must ascend past afterSeq`);
      last = c.seq;
      latest.set(c.key, c);
    }
    const upserts: { key: number; vector: Float32Array }[] = [];
    const removals: number[] = [];
    for (const c of latest.values()) {
      if (c.deleted) removals.push(c.key);
      else {
        invariant(c.vector, `change ${c.seq} of key ${c.key} is live but has no vector`);
        upserts.push({ key: c.key, vector: c.vector });
      }
    }
    await index.upsert(upserts);
    await index.remove(removals, last);
    applied += page.length;
    if (page.length < pageSize) return applied;
  }
}
