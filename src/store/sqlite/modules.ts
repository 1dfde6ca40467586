/** Module records on SQLite (api/modules.ts). */
import { asc, eq } from 'drizzle-orm';
import type { ModuleRecord } from '../types.js';
import type { SqliteConn } from './conn.js';
import { modules } from './schema.js';

/** Store.recordModule for SQLite. */
export function recordModule({ db }: SqliteConn, m: Omit<ModuleRecord, 'createdAt'>): ModuleRecord {
  db.insert(modules).values({ ...m, createdAt: new Date() }).onConflictDoNothing().run();
  return db.select().from(modules).where(eq(modules.name, m.name)).get()!;
}

/** Store.listModules for SQLite. */
export function listModules({ db }: SqliteConn): ModuleRecord[] {
  return db.select().from(modules).orderBy(asc(modules.name)).all();
}
