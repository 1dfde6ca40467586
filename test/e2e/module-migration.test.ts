/**
 * Changing a collection's module without downtime (issue 15), against real server processes over
 * HTTP, with the real USE-lite (512-d) and a second real module served by a local HTTP server (the
 * bag of pieces, 192-d, ONNX: test/modules/bag-module.ts), on real sentences (STS-B dev):
 * - a collection of 300 documents migrates from USE-lite to the bag module while a reader loop
 *   searches and a writer loop upserts: no request fails, every result set is scored entirely
 *   with one module (its scores are that module's cosines, checked with `similarity(module:)`),
 *   both modules serve during the run, every document written during the migration is found after
 *   the swap, and revertMigration restores the results of before the migration exactly;
 * - a server killed with SIGKILL halfway through a migration (SQLite) restarts and finishes it:
 *   no document missing, each one's stored vector is the embedding of its text;
 * - on PostgreSQL, the process running a migration is killed and another takes it over and
 *   finishes it; a revert started on one process switches the searches of another.
 */
import { createReadStream, mkdtempSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSts } from '../../bench/datasets.js';
import { loadModuleRegistry } from '../../src/modules/registry.js';
import { hashModuleDir } from '../../src/modules/sources/hash.js';
import { bytesToVector } from '../../src/store/vector-bytes.js';
import { BAG_DIMS, writeBagModule } from '../modules/bag-module.js';
import { ONNX_MODULE_FILES } from '../modules/onnx-module.js';
import { testConfig } from '../services/support.js';
import { createTestDatabase, postgresMissing, testPostgres } from '../support/postgres.js';
import { describeIfPresent, evalDataMissing, itIfPresent } from '../support/requires.js';
import { gql, removeDir, startServerProcess, type GqlResponse, type ServerProcess } from '../support/server.js';

const pairs = loadSts('dev');
/** Unique STS-B dev sentences: 300 in the collection, then the writer's, then the reader's queries. */
const sentences = pairs ? [...new Set(pairs.flatMap((p) => [p.a, p.b]))] : [];
const DOCS = sentences.slice(0, 300).map((text, i) => ({ id: `s-${i}`, text, metadata: { src: 'orig', half: i % 2 ? 'odd' : 'even' } }));
const WRITES = sentences.slice(300, 420);
const QUERIES = sentences.slice(420, 432);

const UPSERT = `mutation($c: String!, $d: [DocumentInput!]!) { upsertDocuments(collection: $c, documents: $d) { ids seq errors { code message } } }`;
const SEARCH = `query($c: String!, $t: String!, $n: Int) { search(collection: $c, text: $t, limit: $n) { score document { id text } } }`;
const JOB = `query($id: ID!) { job(id: $id) { status error attempts owner result } }`;
const COUNTS = `query($c: String!) { collection(name: $c) { documentCount indexedCount module { name dims } previousModule { name } migration { phase done total target { name } } } }`;
const MIGRATE = `mutation($c: String!, $m: String!) { migrateCollection(collection: $c, module: $m) { id kind status } }`;

type Hit = { id: string; text: string; score: number };

/** The data of a response, failing the test with its errors when it has any. */
function ok<T = any>(r: GqlResponse<T>): T {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

async function upsertAll(url: string, c: string, docs: { id: string; text: string; metadata?: unknown }[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 100) expect(ok(await gql(url, UPSERT, { c, d: docs.slice(i, i + 100) })).upsertDocuments.errors).toEqual([]);
}

async function search(url: string, c: string, text: string, limit = 5): Promise<Hit[]> {
  return ok(await gql(url, SEARCH, { c, t: text, n: limit })).search.map((h: { score: number; document: { id: string; text: string } }) => ({ id: h.document.id, text: h.document.text, score: h.score }));
}

/** Polls the job until `until` holds for it (default: finished); returns it. */
async function job(url: string, id: string, until = (j: any) => !['PENDING', 'RUNNING'].includes(j.status), timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const j = (await gql(url, JOB, { id }).catch(() => null))?.data?.job;
    if (j && until(j)) return j;
    if (Date.now() > deadline) throw new Error(`job ${id}: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The modules (of `names`) whose cosines a result set's scores are, each hit within 1e-4: one when the set was computed with one module. */
function modulesOf(hits: Hit[], cosines: Map<string, Map<string, number>>): string[] {
  return [...cosines].filter(([, cos]) => hits.every((h) => Math.abs(cos.get(h.text)! - h.score) < 1e-4)).map(([m]) => m);
}

/** Cosines of `query` with `texts` under each module, from the server's similarity query. */
async function cosinesOf(url: string, query: string, texts: string[], modules: string[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  for (const m of modules) {
    const [row] = ok(await gql(url, `query($m: String, $a: [String!]!, $b: [String!]!) { similarity(module: $m, a: $a, b: $b) }`, { m, a: [query], b: texts })).similarity as number[][];
    out.set(m, new Map(texts.map((t, i) => [t, row![i]!])));
  }
  return out;
}

describeIfPresent(evalDataMissing('stsbenchmark/sts-dev.csv', pairs), 'module migration without downtime', () => {
  let files: http.Server;
  let origin = '';
  let bagDir = '';
  let bagSha = '';
  let env: Record<string, string>;
  const loadBag = async (url: string) =>
    ok(await gql(url, `mutation($s: String!, $h: String) { loadModule(name: "bag", version: "1", source: $s, sha256: $h) { dims } }`, { s: `${origin}/models/bag/model.onnx`, h: bagSha }));

  beforeAll(async () => {
    bagDir = await writeBagModule(mkdtempSync(path.join(os.tmpdir(), 'semhub-e2e-bag-')));
    bagSha = await hashModuleDir(bagDir);
    // the module host: a real HTTP server on 127.0.0.1
    files = http.createServer((req, res) => {
      const name = /^\/models\/bag\/([\w.-]+)$/.exec(req.url ?? '')?.[1];
      if (!name || !(ONNX_MODULE_FILES as readonly string[]).includes(name)) return void res.writeHead(404).end();
      const full = path.join(bagDir, name);
      res.writeHead(200, { 'content-length': statSync(full).size });
      createReadStream(full).pipe(res);
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    env = { SEMHUB_TRUSTED_MODULE_SOURCES: `${origin}/models/`, SEMHUB_JOB_HEARTBEAT_MS: '200', SEMHUB_JOB_LEASE_MS: '2000' };
  });

  afterAll(async () => {
    files?.close();
    if (bagDir) removeDir(bagDir);
  });

  it('migrates 300 documents from USE-lite to the bag module under a reader and a writer: no failed request, one module per result set, every write found, revert restores the results', async () => {
    const server = await startServerProcess({ env });
    try {
      const url = server.url;
      ok(await gql(url, `mutation { createCollection(name: "sts") { name } }`));
      await upsertAll(url, 'sts', DOCS);
      expect((await loadBag(url)).loadModule.dims).toBe(BAG_DIMS);
      ok(await gql(url, `mutation { trainClassifier(collection: "sts", name: "half", labelKey: "half", validationSplit: 0) { version } }`));
      const before = await Promise.all(QUERIES.map((q) => search(url, 'sts', q)));

      const results: { query: string; hits: Hit[] }[] = [];
      const failures: string[] = [];
      const written = new Map<string, string>();
      let running = true;
      const record = (r: GqlResponse | null, what: string) => {
        if (!r || r.status !== 200 || r.errors) failures.push(`${what}: ${r ? `${r.status} ${JSON.stringify(r.errors)}` : 'no response'}`);
        return r && !r.errors ? r.data : null;
      };
      const readers = [0, 1].map(async (k) => {
        for (let i = k; running; i += 2) {
          const query = QUERIES[i % QUERIES.length]!;
          const data = record(await gql(url, SEARCH, { c: 'sts', t: query, n: 5 }).catch(() => null), 'search');
          if (data) results.push({ query, hits: data.search.map((h: any) => ({ id: h.document.id, text: h.document.text, score: h.score })) });
        }
      });
      // the last AFTER_SWAP writes wait for the swap, so that some are made after it however long the migration takes
      const AFTER_SWAP = 20;
      let swapped!: () => void;
      const swap = new Promise<void>((r) => (swapped = r));
      const writer = (async () => {
        for (let i = 0; running && i < WRITES.length; i++) {
          if (i === WRITES.length - AFTER_SWAP) await swap;
          const doc = { id: `w-${i}`, text: WRITES[i]!, metadata: { src: 'writer' } };
          const data = record(await gql(url, UPSERT, { c: 'sts', d: [doc] }).catch(() => null), 'upsert');
          if (data?.upsertDocuments.errors.length === 0) written.set(doc.id, doc.text);
        }
      })();

      await new Promise((r) => setTimeout(r, 1500));
      const started = ok(await gql(url, MIGRATE, { c: 'sts', m: 'bag' })).migrateCollection;
      expect(started).toMatchObject({ kind: 'migrate', status: 'PENDING' });
      const seen = ok(await gql(url, COUNTS, { c: 'sts' })).collection;
      const done = await job(url, started.id);
      const writtenAtSwap = written.size;
      swapped();
      await new Promise((r) => setTimeout(r, 1500));
      running = false;
      await Promise.all([...readers, writer]);

      expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, result: { phase: 'done', target: { name: 'bag', dims: BAG_DIMS } } });
      expect(seen.migration === null || seen.migration.target.name === 'bag').toBe(true);
      expect(failures).toEqual([]);
      expect(written.size).toBeGreaterThan(writtenAtSwap);
      const after = ok(await gql(url, COUNTS, { c: 'sts' })).collection;
      expect(after).toMatchObject({ documentCount: DOCS.length + written.size, indexedCount: DOCS.length + written.size, module: { name: 'bag', dims: BAG_DIMS }, previousModule: { name: 'use-lite' }, migration: null });

      // every result set was computed with one module: its scores are all that module's cosines
      const used = new Map<string, number>();
      for (const query of QUERIES) {
        const sets = results.filter((r) => r.query === query);
        const cosines = await cosinesOf(url, query, [...new Set(sets.flatMap((r) => r.hits.map((h) => h.text)))], ['use-lite', 'bag']);
        for (const set of sets) {
          const modules = modulesOf(set.hits, cosines);
          expect(modules, `${query}: ${JSON.stringify(set.hits)}`).toHaveLength(1);
          used.set(modules[0]!, (used.get(modules[0]!) ?? 0) + 1);
        }
      }
      expect(used.get('use-lite')).toBeGreaterThan(0);
      expect(used.get('bag')).toBeGreaterThan(0);

      // the head trained on USE-lite is stale: refused unless its version is asked for
      expect(ok(await gql(url, `{ classifier(collection: "sts", name: "half") { version stale module { name } } }`)).classifier).toEqual({ version: 1, stale: true, module: { name: 'use-lite' } });
      const refused = await gql(url, `{ classify(collection: "sts", classifier: "half", texts: ["a dog runs"]) { label } }`);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'CLASSIFIER_STALE' });
      expect(ok(await gql(url, `{ classify(collection: "sts", classifier: "half", texts: ["a dog runs"], version: 1) { classifierVersion } }`)).classify).toEqual([{ classifierVersion: 1 }]);

      // every document written during the migration is found after the swap (its own text is its nearest neighbour)
      for (const [id, text] of written) expect((await search(url, 'sts', text, 1))[0], id).toMatchObject({ id, score: expect.closeTo(1, 4) });

      const revert = ok(await gql(url, `mutation { revertMigration(collection: "sts") { id } }`)).revertMigration;
      expect(await job(url, revert.id)).toMatchObject({ status: 'SUCCEEDED', result: { revert: true } });
      expect(ok(await gql(url, COUNTS, { c: 'sts' })).collection).toMatchObject({ module: { name: 'use-lite' }, previousModule: { name: 'bag' } });
      ok(await gql(url, `mutation($ids: [ID!]!) { deleteDocuments(collection: "sts", ids: $ids) }`, { ids: [...written.keys()] }));
      const reverted = await Promise.all(QUERIES.map((q) => search(url, 'sts', q)));
      reverted.forEach((hits, i) => {
        expect(hits.map((h) => h.id), QUERIES[i]).toEqual(before[i]!.map((h) => h.id));
        hits.forEach((h, j) => expect(Math.abs(h.score - before[i]![j]!.score)).toBeLessThan(1e-5));
      });
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  it('finishes a migration whose server was killed halfway, after a restart: no document missing, each vector its text\'s embedding', async () => {
    let server = await startServerProcess({ env });
    const dataDir = server.dataDir;
    try {
      await loadBag(server.url);
      ok(await gql(server.url, `mutation { createCollection(name: "killed", module: "bag") { name } }`));
      await upsertAll(server.url, 'killed', DOCS);
      // bag to USE-lite: the slow direction (about 60 documents a second on one encoder thread)
      const started = ok(await gql(server.url, MIGRATE, { c: 'killed', m: 'use-lite' })).migrateCollection;
      const halfway = await job(server.url, started.id, (j) => j.result?.done > 0 || j.status !== 'RUNNING' && j.status !== 'PENDING');
      expect(halfway.status).toBe('RUNNING');
      expect(halfway.result.done).toBeLessThan(DOCS.length);
      await server.kill();

      server = await startServerProcess({ env, dataDir });
      const done = await job(server.url, started.id);
      expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 2, result: { done: DOCS.length, total: DOCS.length } });
      expect(ok(await gql(server.url, COUNTS, { c: 'killed' })).collection).toMatchObject({
        documentCount: DOCS.length, indexedCount: DOCS.length, module: { name: 'use-lite', dims: 512 }, previousModule: { name: 'bag' }, migration: null,
      });
      await server.stop();

      // the store: one USE-lite vector per live document, of its current text, equal to that text's embedding
      const db = new Database(path.join(dataDir, 'semhub.db'), { readonly: true });
      const rows = db.prepare(`SELECT d.id, d.text, d.content_hash = v.content_hash AS fresh, v.vector FROM documents d
        JOIN collections c ON c.key = d.collection_key JOIN vectors v ON v.document_key = d.key AND v.module_sha256 = c.module_sha256
        WHERE c.name = 'killed' AND d.deleted_at IS NULL ORDER BY d.key`).all() as { id: string; text: string; fresh: number; vector: Buffer }[];
      db.close();
      expect(rows.map((r) => r.id)).toEqual(DOCS.map((d) => d.id));
      expect(rows.every((r) => r.fresh === 1)).toBe(true);
      const registry = await loadModuleRegistry(testConfig(os.tmpdir()));
      try {
        const fresh = await registry.get().embed(rows.map((r) => r.text));
        rows.forEach((r, i) => {
          const stored = bytesToVector(r.vector);
          expect(Math.max(...stored.map((x, j) => Math.abs(x - fresh[i]![j]!))), r.id).toBeLessThan(1e-5);
        });
      } finally {
        await registry.close();
      }
    } finally {
      if (server.proc.exitCode === null) await server.stop();
      removeDir(dataDir);
    }
  });

  const postgres = testPostgres();
  // fails under CI without PostgreSQL instead of skipping (test/support/requires.ts)
  itIfPresent(postgresMissing(postgres), 'on PostgreSQL: another process takes over a migration whose process was killed, and a revert started on one switches the searches of another', async () => {
    const db = await createTestDatabase(postgres.url!, 'semhub_migration');
    const pgEnv = { ...env, SEMHUB_DATABASE_URL: db.url };
    const procs: ServerProcess[] = [];
    try {
      procs.push(await startServerProcess({ env: pgEnv }), await startServerProcess({ env: pgEnv }));
      const [a, b] = procs as [ServerProcess, ServerProcess];
      await loadBag(a.url);
      ok(await gql(a.url, `mutation { createCollection(name: "shared", module: "bag") { name } }`));
      await upsertAll(a.url, 'shared', DOCS);
      const started = ok(await gql(a.url, MIGRATE, { c: 'shared', m: 'use-lite' })).migrateCollection;
      const halfway = await job(b.url, started.id, (j) => j.result?.done > 0 || !['PENDING', 'RUNNING'].includes(j.status));
      expect(halfway.status).toBe('RUNNING');
      await a.kill();
      const done = await job(b.url, started.id);
      expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 2, result: { done: DOCS.length } });
      expect(done.owner).not.toBe(halfway.owner);
      expect(ok(await gql(b.url, COUNTS, { c: 'shared' })).collection).toMatchObject({ documentCount: DOCS.length, indexedCount: DOCS.length, module: { name: 'use-lite' } });

      const c = await startServerProcess({ env: pgEnv });
      procs.push(c);
      const query = QUERIES[0]!;
      const useLite = await search(c.url, 'shared', query);
      expect(modulesOf(useLite, await cosinesOf(c.url, query, useLite.map((h) => h.text), ['use-lite', 'bag']))).toEqual(['use-lite']);
      const revert = ok(await gql(b.url, `mutation { revertMigration(collection: "shared") { id } }`)).revertMigration;
      expect(await job(b.url, revert.id)).toMatchObject({ status: 'SUCCEEDED' });
      // the other process hears the swap (a notice, else its poll) and serves the bag module's index
      const deadline = Date.now() + 5000;
      let hits = await search(c.url, 'shared', query);
      while (modulesOf(hits, await cosinesOf(c.url, query, hits.map((h) => h.text), ['use-lite', 'bag']))[0] !== 'bag' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        hits = await search(c.url, 'shared', query);
      }
      expect(modulesOf(hits, await cosinesOf(c.url, query, hits.map((h) => h.text), ['use-lite', 'bag']))).toEqual(['bag']);
      expect(ok(await gql(c.url, COUNTS, { c: 'shared' })).collection).toMatchObject({ indexedCount: DOCS.length, module: { name: 'bag' } });
    } finally {
      for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) await p.stop();
      for (const p of procs) removeDir(p.dataDir);
      await db.drop();
    }
  });
});
