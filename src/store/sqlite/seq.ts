/** The SQLite change sequence: a counter row bumped inside the caller's write transaction. */
import type Database from 'better-sqlite3';
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

/**
 * `allocateSeq` as a better-sqlite3 statement prepared once per connection (the same SQL, for the
 * hot write path of hot-writes.ts). Same contract: call `allocate` inside a write transaction.
 */
export class SeqCounter {
  private readonly bump: Database.Statement<[number], number>;

  constructor(client: Database.Database) {
    this.bump = client.prepare<[number], number>(
      `INSERT INTO counters (name, value) VALUES ('seq', ?)
       ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value`).pluck();
  }

  /** Reserves `n` consecutive seq values and returns the first. */
  allocate(n: number): number {
    return this.bump.get(n)! - n + 1;
  }
}
