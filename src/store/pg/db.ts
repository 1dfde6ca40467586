/** The drizzle handle the PostgreSQL functions work on, and shared query pieces. */
import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { CHANGE_CHANNEL, formatChangeNotice, type ChangeNotice } from '../api/changes.js';
import { documentColumnsOf } from '../rows.js';
import { documents } from './schema.js';

/** A node-postgres drizzle database: what every PostgreSQL store function takes first. */
export type PgDb = NodePgDatabase;

/** A transaction of it. */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

/** The columns of a DocumentRow, in one select shape. */
export const documentColumns = documentColumnsOf(documents);

/** `excluded.<column>` in an ON CONFLICT DO UPDATE clause. */
export const excluded = (column: { name: string }) => sql`excluded.${sql.identifier(column.name)}`;

/** The next value of the store-wide change sequence (one per row it is evaluated for). */
export const NEXT_SEQ = sql`nextval('document_seq')`;

/** First key of the advisory locks this store takes (`pg_advisory_xact_lock(LOCK_SPACE, collectionKey)`). */
export const LOCK_SPACE = 0x5e4d;

/**
 * Tells every process (LISTEN semhub_changes, pg/listen.ts) what moved (api/changes.ts): sent
 * inside the writing transaction, so it is delivered on commit and never for a rollback.
 */
export async function notifyChange(tx: PgTx, notice: ChangeNotice): Promise<void> {
  await tx.execute(sql`select pg_notify(${CHANGE_CHANNEL}, ${formatChangeNotice(notice)})`);
}
