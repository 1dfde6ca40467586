/** Module records on PostgreSQL (api/modules.ts). */
import { asc, eq } from 'drizzle-orm';
import type { ModuleRecord } from '../types.js';
import { notifyChange, type PgDb } from './db.js';
import { modules } from './schema.js';

/** Store.recordModule for PostgreSQL: a new record sends the `module` change notice in its transaction. */
export async function recordModule(db: PgDb, m: Omit<ModuleRecord, 'createdAt'>): Promise<ModuleRecord> {
  return db.transaction(async (tx) => {
    const [inserted] = await tx.insert(modules).values({ ...m, createdAt: new Date() }).onConflictDoNothing().returning();
    if (inserted) {
      await notifyChange(tx, { kind: 'module' });
      return inserted;
    }
    const [existing] = await tx.select().from(modules).where(eq(modules.name, m.name));
    return existing!;
  });
}

/** Store.listModules for PostgreSQL. */
export async function listModules(db: PgDb): Promise<ModuleRecord[]> {
  return db.select().from(modules).orderBy(asc(modules.name));
}
