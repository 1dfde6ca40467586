/** The store suite on SQLite (a fresh data folder per file), plus what only SQLite has: the file. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { expectVectorsKeyedByModule, migrationsBefore } from './migration-support.js';
import { repositoryTests } from './repository.suite.js';
import { doc, newCollection } from './suite-support.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'semhub-sqlite-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

repositoryTests('sqlite', () => openStore({ dataDir }));

describe('sqlite store file', () => {
  it('creates <dataDir>/semhub.db in a missing folder, in WAL mode', async () => {
    const nested = path.join(dataDir, 'a', 'b');
    const store = await openStore({ dataDir: nested });
    await store.close();
    const file = path.join(nested, 'semhub.db');
    expect(existsSync(file)).toBe(true);
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('says which file it could not open', async () => {
    const blocker = path.join(dataDir, 'not-a-dir');
    writeFileSync(blocker, 'a file where the data folder should be');
    await expect(openStore({ dataDir: blocker })).rejects.toThrow(/^store: cannot open SQLite database .*not-a-dir/);
  });
});

/** Every collection's keyword index holds exactly its live documents and passes FTS5's own check. */
function checkKeywordIndexes(raw: Database.Database): number {
  const keys = raw.prepare('SELECT key FROM collections').pluck().all() as number[];
  for (const key of keys) {
    const t = `documents_fts_c${key}`;
    const indexed = raw.prepare(`SELECT count(*) FROM ${t}_docsize`).pluck().get();
    const live = raw.prepare('SELECT count(*) FROM documents WHERE collection_key = ? AND deleted_at IS NULL').pluck().get(key);
    expect(indexed, t).toBe(live);
    const stray = raw.prepare(`SELECT count(*) FROM ${t}_docsize s
      LEFT JOIN documents d ON d.key = s.id WHERE d.key IS NULL OR d.deleted_at IS NOT NULL OR d.collection_key <> ?`).pluck().get(key);
    expect(stray, t).toBe(0);
    // FTS5's own check of its index structure (rank 0: not against the content table, which also
    // holds other collections' rows and soft-deleted ones, deliberately not indexed here).
    raw.prepare(`INSERT INTO ${t} (${t}, rank) VALUES ('integrity-check', 0)`).run();
  }
  // no keyword table outlives its collection, and the shared table of migrations 0002-0004 is gone
  const names = raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'documents_fts*'`).pluck().all() as string[];
  expect(names.filter((n) => /^documents_fts(_c\d+)?$/.test(n)).sort()).toEqual(keys.map((k) => `documents_fts_c${k}`).sort());
  return keys.length;
}

describe('sqlite full-text index', () => {
  it('holds exactly the live documents of each collection after the whole suite (writes, deletes, revivals, cascades)', () => {
    const raw = new Database(path.join(dataDir, 'semhub.db'));
    try {
      expect(checkKeywordIndexes(raw)).toBeGreaterThan(1);
      expect(raw.prepare('SELECT count(*) FROM documents WHERE deleted_at IS NULL').pluck().get()).toBeGreaterThan(0);
    } finally {
      raw.close();
    }
  });

  it('rebuilds a keyword index whose triggers are gone (a migration that rebuilt documents) when it opens', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semhub-sqlite-triggers-'));
    try {
      let store = await openStore({ dataDir: dir });
      const c = await newCollection(store, 'lost');
      await store.upsertDocuments(c.key, [doc('a', 'copper kettle')]);
      await store.close();
      const raw = new Database(path.join(dir, 'semhub.db'));
      raw.exec(`DROP TRIGGER documents_fts_c${c.key}_insert`);
      raw.close();
      store = await openStore({ dataDir: dir });
      try {
        await store.upsertDocuments(c.key, [doc('b', 'copper pipe')]);
        expect(await store.keywordSearch(c.key, 'copper', 10, null)).toHaveLength(2);
      } finally {
        await store.close();
      }
      const check = new Database(path.join(dir, 'semhub.db'));
      try {
        checkKeywordIndexes(check);
      } finally {
        check.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const before of ['0002_documents_fts', '0005_keyword_index_per_collection']) {
    it(`indexes the documents of a database written before ${before}`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'semhub-sqlite-old-'));
      try {
        const raw = new Database(path.join(dir, 'semhub.db'));
        const folder = migrationsBefore('sqlite', before);
        migrate(drizzle({ client: raw }), { migrationsFolder: folder });
        rmSync(folder, { recursive: true, force: true });
        const now = Date.now();
        raw.prepare(`INSERT INTO collections (name, module_name, module_version, module_sha256, dims, metric, hnsw_m, hnsw_ef_construction, hnsw_ef, created_at)
          VALUES ('old', 'm', '1', 's', 4, 'cosine', 16, 200, 64, ?)`).run(now);
        const insert = raw.prepare(`INSERT INTO documents (collection_key, id, text, metadata, content_hash, seq, created_at, updated_at, deleted_at)
          VALUES (1, ?, ?, NULL, ?, ?, ?, ?, ?)`);
        insert.run('scroll', 'an ancient scroll', 'h1', 1, now, now, null);
        insert.run('chest', 'buried treasure chest', 'h2', 2, now, now, now);
        raw.close();

        const store = await openStore({ dataDir: dir });
        try {
          const c = (await store.getCollection('old'))!;
          const [scroll, chest] = await Promise.all(['scroll', 'chest'].map(async (id) => (await store.getDocumentsByIds(c.key, [id]))[0]));
          expect(chest).toBeNull();
          expect((await store.keywordSearch(c.key, 'ancient scrolls', 10, null)).map((h) => h.key)).toEqual([scroll!.key]);
          expect(await store.keywordSearch(c.key, 'treasure', 10, null)).toEqual([]);
          // The backfilled row is maintained by the triggers like any other.
          await store.upsertDocuments(c.key, [doc('scroll', 'a modern tablet')]);
          expect(await store.keywordSearch(c.key, 'ancient', 10, null)).toEqual([]);
          expect((await store.keywordSearch(c.key, 'tablet', 10, null)).map((h) => h.key)).toEqual([scroll!.key]);
          await store.upsertDocuments(c.key, [doc('chest', 'buried treasure chest')]);
          expect(await store.keywordSearch(c.key, 'treasure', 10, null)).toHaveLength(1);
          await store.deleteCollection('old');
          const other = await newCollection(store, 'fresh');
          expect(await store.keywordSearch(other.key, 'tablet treasure', 10, null)).toEqual([]);
        } finally {
          await store.close();
        }
        const check = new Database(path.join(dir, 'semhub.db'));
        try {
          expect(checkKeywordIndexes(check)).toBe(1);
        } finally {
          check.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('keys the vectors of a database written before module migrations by their collection\'s module', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semhub-sqlite-vectors-'));
    try {
      const raw = new Database(path.join(dir, 'semhub.db'));
      const folder = migrationsBefore('sqlite', '0009_module_vectors');
      migrate(drizzle({ client: raw }), { migrationsFolder: folder });
      rmSync(folder, { recursive: true, force: true });
      const now = Date.now();
      raw.prepare(`INSERT INTO collections (name, module_name, module_version, module_sha256, dims, metric, hnsw_m, hnsw_ef_construction, hnsw_ef, created_at)
        VALUES ('old', 'm', '1', 's1', 2, 'cosine', 16, 200, 64, ?)`).run(now);
      const insert = raw.prepare(`INSERT INTO documents (collection_key, id, text, metadata, content_hash, seq, created_at, updated_at, deleted_at)
        VALUES (1, ?, ?, NULL, ?, ?, ?, ?, ?)`);
      insert.run('kept', 'a kept text', 'h1', 5, now, now, null);
      insert.run('gone', 'a gone text', 'h2', 7, now, now, now);
      raw.prepare(`INSERT INTO vectors (document_key, vector) SELECT key, x'0000803f00000040' FROM documents`).run();
      raw.close();

      const store = await openStore({ dataDir: dir });
      try {
        await expectVectorsKeyedByModule(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the jobs of a database written before job leases, unclaimed, and claims them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semhub-sqlite-jobs-'));
    try {
      const raw = new Database(path.join(dir, 'semhub.db'));
      const folder = migrationsBefore('sqlite', '0006_salty_red_shift');
      migrate(drizzle({ client: raw }), { migrationsFolder: folder });
      rmSync(folder, { recursive: true, force: true });
      const now = Date.now();
      raw.prepare(`INSERT INTO jobs (id, kind, collection_key, status, progress, params, result, error, created_at, updated_at)
        VALUES ('old-job', 'classify', NULL, 'RUNNING', 0.5, '{}', NULL, NULL, ?, ?)`).run(now, now);
      raw.close();

      const store = await openStore({ dataDir: dir });
      try {
        expect(await store.getJob('old-job')).toMatchObject({ status: 'RUNNING', progress: 0.5, owner: null, leaseUntil: null, attempts: 0 });
        const claimed = await store.claimJobs({ kind: 'classify', owner: 'p', now: new Date(), leaseUntil: new Date(now + 60_000), limit: 5 });
        expect(claimed).toMatchObject([{ id: 'old-job', owner: 'p', attempts: 1 }]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
