/**
 * Opens the PostgreSQL store on a pg Pool of `poolSize` connections (SEMHUB_PG_POOL_SIZE, default
 * 10; `?max=` in the URL is not parsed, use PG* environment variables or the URL for the other
 * connection settings) and applies migrations/pg.
 * Several replicas may start at once: migrations run under a session advisory lock on one
 * dedicated connection, so only one applies them and the others then find them applied.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { bindStore } from '../bind.js';
import { openError } from '../driver-error.js';
import { migrationsDir } from '../migrations-dir.js';
import type { Store } from '../types.js';
import * as classifiers from './classifiers.js';
import * as clusterReview from './cluster-review.js';
import * as clusterings from './clusterings.js';
import * as collections from './collections.js';
import { LOCK_SPACE } from './db.js';
import * as documentReads from './documents-read.js';
import * as documentWrites from './documents-write.js';
import * as jobs from './jobs.js';
import * as moduleMigration from './module-migration.js';
import * as modules from './modules.js';
import { changeListener } from './listen.js';
import * as search from './search-read.js';

/** Connections per process when the caller names no pool size (pg's own default, kept). */
const DEFAULT_POOL_SIZE = 10;

/** Second key of the advisory lock held while migrating (first key: LOCK_SPACE). */
const MIGRATION_LOCK = -1;

/**
 * The Store on a migrated pool. Each call takes a pooled connection; writes run in one transaction
 * each and serialize per collection (see documents-write.ts), so concurrent callers and replicas
 * never lose writes and seq order is commit order within a collection.
 */
function postgresStore(pool: pg.Pool, databaseUrl: string): Store {
  let closed = false;
  const feed = changeListener(databaseUrl);
  return bindStore({
    name: 'postgres',
    context: drizzle({ client: pool }),
    functions: { collections, search, clusterings, clusterReview, classifiers, jobs, modules, moduleMigration, documents: { ...documentReads, ...documentWrites } },
    /** Ends the pool after its clients finish their current queries, and the LISTEN connection. */
    async close() {
      if (closed) return;
      closed = true;
      await feed.close();
      await pool.end();
    },
    onChange: (listener) => feed.onChange(listener),
  });
}

/** Opens a migrated PostgreSQL store; the URL is never echoed in errors (it may hold a password). */
export async function openPostgresStore(databaseUrl: string, opts: { poolSize?: number } = {}): Promise<Store> {
  const max = opts.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`PostgreSQL pool size must be a positive integer, got ${max}`);
  const pool = new pg.Pool({ connectionString: databaseUrl, application_name: 'semhub', max });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that
  // would crash the process. The pool drops the client and the next query opens a fresh one.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1::int, $2::int)', [LOCK_SPACE, MIGRATION_LOCK]);
      await migrate(drizzle({ client }), { migrationsFolder: migrationsDir('pg') });
    } finally {
      await client.query('select pg_advisory_unlock_all()').catch(() => {});
      client.release();
    }
    return postgresStore(pool, databaseUrl);
  } catch (e) {
    await pool.end().catch(() => {});
    throw openError('PostgreSQL database', e);
  }
}
