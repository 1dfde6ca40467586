/** The SQLite change sequence: a counter row bumped inside the caller's write transaction. */
import { sql } from 'drizzle-orm';
import type { SqliteDb } from './db.js';
import { counters } from './schema.js';

/**
 * Reserves `n` consecutive seq values and returns the first. Call it inside a write transaction:
 * SQLite has one writer at a time, so seq order is commit order.
 */
export function allocateSeq(tx: SqliteDb, n: number): number {
  const row = tx
    .insert(counters)
    .values({ name: 'seq', value: n })
    .onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + excluded.value` } })
    .returning({ value: counters.value })
    .get();
  return row.value - n + 1;
}
