/**
 * The store factory: PostgreSQL when `databaseUrl` is set (SEMHUB_DATABASE_URL), otherwise the
 * embedded SQLite file `<dataDir>/semhub.db` (SEMHUB_DATA_DIR). Migrations run before it returns.
 */
import { openPostgresStore } from './pg/client.js';
import { openSqliteStore } from './sqlite/client.js';
import type { Store } from './types.js';

/**
 * Opens a ready, migrated Store; see sqlite/client.ts and pg/client.ts for the settings.
 * `pgPoolSize` (SEMHUB_PG_POOL_SIZE) is the PostgreSQL pool's size, default 10; SQLite ignores it.
 */
export async function openStore(opts: { databaseUrl?: string; dataDir: string; pgPoolSize?: number }): Promise<Store> {
  if (opts.databaseUrl) return openPostgresStore(opts.databaseUrl, { poolSize: opts.pgPoolSize });
  return openSqliteStore(opts.dataDir);
}
