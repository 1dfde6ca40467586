/** The throwaway PostgreSQL lives beside the benches (bench/postgres.ts), which start one the same way. */
import type { PostgresInfo } from '../../bench/postgres.js';

export * from '../../bench/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresInfo;
  }
}
