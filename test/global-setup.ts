/**
 * vitest globalSetup: starts the PostgreSQL server for the run (test/support/postgres.ts) and
 * provides `inject('postgres')` = { url, reason } to test files; stops it at teardown.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from './support/postgres.js';

/** Runs once before all test files; the returned function runs once after them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgres', server.info);
  return () => server.stop();
}
