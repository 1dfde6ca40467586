/** The throwaway PostgreSQL lives beside the benches (bench/postgres.ts), which start one the same way. */
import { inject } from 'vitest';
import type { PostgresInfo } from '../../bench/postgres.js';

export * from '../../bench/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresInfo;
  }
}

/** The PostgreSQL test/global-setup.ts provides to test files (url null, with the reason, when there is none). */
export function testPostgres(): PostgresInfo {
  return inject('postgres') ?? { url: null, reason: 'test/global-setup.ts did not run (vitest.config.ts globalSetup)' };
}

/** Why PostgreSQL tests cannot run here, for describeIfPresent and itIfPresent; null when they can. */
export function postgresMissing(pg: PostgresInfo = testPostgres()): string | null {
  return pg.url ? null : `PostgreSQL is missing: ${pg.reason}`;
}
