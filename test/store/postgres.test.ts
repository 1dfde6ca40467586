/**
 * The store suite on PostgreSQL, in a fresh database of the server that test/global-setup.ts
 * provides. Without a server the suite is skipped with the reason, except under CI, where a
 * missing PostgreSQL fails the run instead of passing silently.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { createTestDatabase } from '../support/postgres.js';
import { repositoryTests } from './repository.suite.js';

const server = inject('postgres') ?? { url: null, reason: 'test/global-setup.ts did not run (vitest.config.ts globalSetup)' };

if (server.url) {
  const adminUrl = server.url;
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await createTestDatabase(adminUrl, 'semhub_store');
  });
  afterAll(async () => {
    await db?.drop();
  });
  repositoryTests('postgres', () => openStore({ databaseUrl: db.url, dataDir: '/nonexistent' }));
} else if (process.env.CI) {
  describe('postgres store', () => {
    it('needs PostgreSQL in CI', () => {
      throw new Error(`PostgreSQL is required when CI is set: ${server.reason}`);
    });
  });
} else {
  console.warn(`[postgres store] skipped: ${server.reason}`);
  describe.skip(`postgres store (skipped: ${server.reason})`, () => {
    it('runs the store suite on PostgreSQL', () => {});
  });
}

if (server.url) {
  const adminUrl = server.url;
  describe('postgres store start-up', () => {
    it('comes up migrated when two replicas open a fresh database at once', async () => {
      const fresh = await createTestDatabase(adminUrl, 'semhub_race');
      try {
        const [a, b] = await Promise.all([0, 1].map(() => openStore({ databaseUrl: fresh.url, dataDir: '/nonexistent' })));
        try {
          const c = await a!.createCollection({
            name: 'shared', module: { name: 'm', version: '1', sha256: 's', dims: 2 }, metric: 'l2', hnsw: { m: 8, efConstruction: 50, ef: 20 },
          });
          expect(await b!.getCollection('shared')).toEqual(c);
        } finally {
          await Promise.all([a!.close(), b!.close()]);
        }
      } finally {
        await fresh.drop();
      }
    });

    it('does not echo the password when it cannot connect', async () => {
      const url = new URL(adminUrl);
      url.password = 'hunter2-secret';
      url.port = '1';
      const err = await openStore({ databaseUrl: url.toString(), dataDir: '/nonexistent' }).then(() => null, (e: unknown) => e as Error);
      expect(err?.message).toMatch(/^store: cannot open PostgreSQL database/);
      expect(err?.message).not.toContain('hunter2');
    });
  });
}
