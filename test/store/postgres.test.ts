/**
 * The store suite on PostgreSQL, in a fresh database of the server that test/global-setup.ts
 * provides. Without a server the suite is skipped with the reason, except under CI, where a
 * missing PostgreSQL fails the run instead of passing silently.
 */
import { rmSync } from 'node:fs';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDocumentCache } from '../../src/store/document-cache.js';
import { openStore } from '../../src/store/open.js';
import type { ChangeNotice } from '../../src/store/types.js';
import { createTestDatabase, testPostgres } from '../support/postgres.js';
import { expectVectorsKeyedByModule, migrationsBefore } from './migration-support.js';
import { repositoryTests } from './repository.suite.js';
import { doc, newCollection } from './suite-support.js';

const server = testPostgres();

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

    it('backfills the search vectors of a database written before keyword search existed', async () => {
      const old = await createTestDatabase(adminUrl, 'semhub_old');
      try {
        const client = new pg.Client({ connectionString: old.url });
        await client.connect();
        try {
          const folder = migrationsBefore('pg', '0001_keyword_search');
          await migrate(drizzle({ client }), { migrationsFolder: folder });
          rmSync(folder, { recursive: true, force: true });
          await client.query(`INSERT INTO collections (name, module_name, module_version, module_sha256, dims, metric, hnsw_m, hnsw_ef_construction, hnsw_ef, created_at)
            VALUES ('old', 'm', '1', 's', 4, 'cosine', 16, 200, 64, now())`);
          await client.query(`INSERT INTO documents (collection_key, id, text, metadata, content_hash, seq, created_at, updated_at, deleted_at)
            VALUES (1, 'scroll', 'an ancient scroll', NULL, 'h1', nextval('document_seq'), now(), now(), NULL),
                   (1, 'chest', 'buried treasure chest', NULL, 'h2', nextval('document_seq'), now(), now(), now())`);
        } finally {
          await client.end();
        }
        const store = await openStore({ databaseUrl: old.url, dataDir: '/nonexistent' });
        try {
          const c = (await store.getCollection('old'))!;
          const [scroll] = await store.getDocumentsByIds(c.key, ['scroll']);
          expect((await store.keywordSearch(c.key, 'ancient scrolls', 10, null)).map((h) => h.key)).toEqual([scroll!.key]);
          expect(await store.keywordSearch(c.key, 'treasure', 10, null)).toEqual([]);
          await store.upsertDocuments(c.key, [doc('scroll', 'a modern tablet')]);
          expect(await store.keywordSearch(c.key, 'ancient', 10, null)).toEqual([]);
          expect((await store.keywordSearch(c.key, 'tablet', 10, null)).map((h) => h.key)).toEqual([scroll!.key]);
        } finally {
          await store.close();
        }
      } finally {
        await old.drop();
      }
    });

    it('keys the vectors of a database written before module migrations by their collection\'s module', async () => {
      const old = await createTestDatabase(adminUrl, 'semhub_old_vectors');
      try {
        const client = new pg.Client({ connectionString: old.url });
        await client.connect();
        try {
          const folder = migrationsBefore('pg', '0007_module_vectors');
          await migrate(drizzle({ client }), { migrationsFolder: folder });
          rmSync(folder, { recursive: true, force: true });
          await client.query(`INSERT INTO collections (name, module_name, module_version, module_sha256, dims, metric, hnsw_m, hnsw_ef_construction, hnsw_ef, created_at)
            VALUES ('old', 'm', '1', 's1', 2, 'cosine', 16, 200, 64, now())`);
          await client.query(`INSERT INTO documents (collection_key, id, text, metadata, content_hash, seq, created_at, updated_at, deleted_at)
            VALUES (1, 'kept', 'a kept text', NULL, 'h1', nextval('document_seq'), now(), now(), NULL),
                   (1, 'gone', 'a gone text', NULL, 'h2', nextval('document_seq'), now(), now(), now())`);
          await client.query(`INSERT INTO vectors (document_key, vector) SELECT key, '\\x0000803f00000040'::bytea FROM documents`);
        } finally {
          await client.end();
        }
        const store = await openStore({ databaseUrl: old.url, dataDir: '/nonexistent' });
        try {
          await expectVectorsKeyedByModule(store);
        } finally {
          await store.close();
        }
      } finally {
        await old.drop();
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

if (server.url) {
  const adminUrl = server.url;
  describe('postgres job leases', () => {
    it('claims past a job row another transaction holds, without waiting for it', async () => {
      const fresh = await createTestDatabase(adminUrl, 'semhub_claim');
      const store = await openStore({ databaseUrl: fresh.url, dataDir: '/nonexistent' });
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      try {
        const a = await store.createJob({ id: 'held', kind: 'k', collectionKey: null, params: {} });
        const b = await store.createJob({ id: 'free', kind: 'k', collectionKey: null, params: {} });
        const now = new Date();
        const leaseUntil = new Date(now.getTime() + 60_000);
        await client.query('BEGIN');
        await client.query('SELECT id FROM jobs WHERE id = $1 FOR UPDATE', [a.id]);
        const claimed = await store.claimJobs({ kind: 'k', owner: 'p1', now, leaseUntil, limit: 10 });
        expect(claimed.map((j) => j.id)).toEqual([b.id]);
        await client.query('COMMIT');
        const later = await store.claimJobs({ kind: 'k', owner: 'p2', now, leaseUntil, limit: 10 });
        expect(later).toMatchObject([{ id: a.id, owner: 'p2', attempts: 1 }]);
      } finally {
        await client.end();
        await store.close();
        await fresh.drop();
      }
    });

    it('keeps the jobs of a database written before job leases, unclaimed', async () => {
      const old = await createTestDatabase(adminUrl, 'semhub_oldjobs');
      try {
        const client = new pg.Client({ connectionString: old.url });
        await client.connect();
        try {
          const folder = migrationsBefore('pg', '0004_burly_garia');
          await migrate(drizzle({ client }), { migrationsFolder: folder });
          rmSync(folder, { recursive: true, force: true });
          await client.query(`INSERT INTO jobs (id, kind, collection_key, status, progress, params, result, error, created_at, updated_at)
            VALUES ('old-job', 'classify', NULL, 'PENDING', 0, '{}', NULL, NULL, now(), now())`);
        } finally {
          await client.end();
        }
        const store = await openStore({ databaseUrl: old.url, dataDir: '/nonexistent' });
        try {
          expect(await store.getJob('old-job')).toMatchObject({ status: 'PENDING', owner: null, leaseUntil: null, attempts: 0 });
          const claimed = await store.claimJobs({ kind: 'classify', owner: 'p', now: new Date(), leaseUntil: new Date(Date.now() + 60_000), limit: 1 });
          expect(claimed).toMatchObject([{ id: 'old-job', owner: 'p', attempts: 1 }]);
        } finally {
          await store.close();
        }
      } finally {
        await old.drop();
      }
    });
  });
}

if (server.url) {
  const adminUrl = server.url;
  describe('postgres change notices', () => {
    const until = async (what: string, ok: () => boolean, tick?: () => Promise<unknown>) => {
      for (const deadline = Date.now() + 5000; !ok(); ) {
        if (Date.now() > deadline) throw new Error(`no notice: ${what}`);
        await tick?.();
        await new Promise((r) => setTimeout(r, 25));
      }
    };

    it('tells another process of collections created and deleted, modules recorded and documents written; its document cache follows', async () => {
      const fresh = await createTestDatabase(adminUrl, 'semhub_notices');
      const [a, plain] = await Promise.all([0, 1].map(() => openStore({ databaseUrl: fresh.url, dataDir: '/nonexistent' })));
      const b = withDocumentCache(plain!);
      try {
        const heard: ChangeNotice[] = [];
        b.onChange!((n) => heard.push(n));
        // the LISTEN connection opens on the first subscription: wait until it hears
        const probe = await newCollection(a!, 'probe');
        await until('LISTEN is up', () => heard.length > 0, () => a!.upsertDocuments(probe.key, [doc('p')]));
        heard.length = 0;

        const c = await newCollection(a!, 'shared');
        await until('collection created', () => heard.some((n) => n.kind === 'collection'));
        expect(heard).toContainEqual({ kind: 'collection', collectionKey: c.key, name: 'shared', deleted: false });

        const [w] = (await a!.upsertDocuments(c.key, [doc('d', 'first text')])).written;
        await until('documents written', () => heard.some((n) => n.kind === 'documents'));
        expect(heard).toContainEqual({ kind: 'documents', collectionKey: c.key, seq: w!.seq });
        expect((await b.getDocumentsByKeys(c.key, [w!.key]))[0]!.text).toBe('first text');
        expect(b.documentCacheStats().size).toBe(1);
        heard.length = 0;
        await a!.upsertDocuments(c.key, [doc('d', 'second text')]);
        await until('documents rewritten', () => heard.some((n) => n.kind === 'documents'));
        // A's write cleared B's cache: B reads the new text, not its cached row
        expect((await b.getDocumentsByKeys(c.key, [w!.key]))[0]!.text).toBe('second text');

        await a!.recordModule({ name: 'm', version: '1', source: '/m', sha256: 's', dims: 4 });
        await until('module recorded', () => heard.some((n) => n.kind === 'module'));
        heard.length = 0;
        await a!.recordModule({ name: 'm', version: '1', source: '/m', sha256: 's', dims: 4 });

        expect(await a!.deleteCollection('shared')).toBe(true);
        await until('collection deleted', () => heard.some((n) => n.kind === 'collection'));
        expect(heard).toEqual([{ kind: 'collection', collectionKey: c.key, name: 'shared', deleted: true }]);
      } finally {
        await Promise.all([a!.close(), b.close()]);
        await fresh.drop();
      }
    });
  });
}
