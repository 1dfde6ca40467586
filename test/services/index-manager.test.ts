/**
 * IndexManager on the real SQLite store, real HNSW indexes and the real USE-lite: an index is
 * built from the store on first use, follows every committed write (concurrent writers too), is
 * saved on close, and after a restart loads its file and catches up with the writes it missed, or
 * rebuilds from the store when its files are corrupt, missing or saved for other build parameters.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HnswIndex } from '../../src/index/hnsw.js';
import type { ModuleRegistry } from '../../src/modules/types.js';
import { DocumentService } from '../../src/services/documents.js';
import { indexFileName } from '../../src/services/index-files.js';
import type { Services } from '../../src/services/services.js';
import type { CollectionRow } from '../../src/store/types.js';
import { corpus, loadModules, openServices, tempDataDir } from './support.js';

let modules: ModuleRegistry;
const docs = corpus();
const open: Services[] = [];
const dirs: (() => void)[] = [];

/** Services over a fresh or given data folder, closed after each test. */
async function start(dir?: string, env: Record<string, string> = {}): Promise<{ services: Services; dir: string }> {
  if (!dir) {
    const data = tempDataDir('index-manager');
    dirs.push(data.remove);
    dir = data.dir;
  }
  const services = await openServices(dir, modules, env);
  open.push(services);
  return { services, dir };
}

async function stop(services: Services): Promise<void> {
  open.splice(open.indexOf(services), 1);
  await services.close();
}

/** Writes that the index manager does not hear of (no afterWrite hook), as by a server that crashed before syncing. */
const unheard = (s: Services) => new DocumentService(s.store, modules, s.config.limits);

const hnsw = async (s: Services, c: CollectionRow) => {
  const index = await s.indexes.get(c);
  expect(index).toBeInstanceOf(HnswIndex);
  return index as HnswIndex;
};
const files = (dir: string, c: CollectionRow) => {
  const base = path.join(dir, 'indexes', indexFileName(c.key, c.module.sha256));
  return { index: `${base}.hnsw`, meta: `${base}.meta.json` };
};
const savedSeq = (dir: string, c: CollectionRow) => (JSON.parse(readFileSync(files(dir, c).meta, 'utf8')) as { seq: number }).seq;
/** The top hit of a search by each document's own id: itself when the index holds its vector. */
const selfHits = async (s: Services, c: CollectionRow, ids: string[]) =>
  Promise.all(ids.map(async (id) => (await s.search.search(c, { documentId: id, limit: 1 }))[0]?.document.id));

beforeAll(async () => {
  modules = await loadModules();
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const remove of dirs.splice(0)) remove();
});

afterAll(async () => {
  await modules?.close();
});

describe('index manager', () => {
  it('builds an index from the store on first use, caught up to the store seq', async () => {
    const { services } = await start();
    const c = await services.collections.create({ name: 'first-use' });
    await unheard(services).upsert(c, docs.slice(0, 10));
    await unheard(services).delete(c, ['battery-2']);
    const index = await hnsw(services, c);
    expect(index.loadedFrom).toBe('empty');
    expect(index.size).toBe(9);
    expect(index.seq).toBe(await services.store.maxSeq(c.key));
    expect(await services.indexes.indexedCount(c)).toBe(9);
  });

  it('follows every committed upsert, edit and delete', async () => {
    const { services } = await start();
    const c = await services.collections.create({ name: 'follows' });
    await services.documents.upsert(c, docs.slice(0, 12));
    expect(await services.indexes.indexedCount(c)).toBe(12);
    // two tombstones in twelve slots: under the compaction threshold (rebuildRatio 0.2), so they stay
    await services.documents.delete(c, ['battery-0', 'kitchen-1']);
    expect(await services.indexes.indexedCount(c)).toBe(10);
    expect(await services.indexes.deletedCount(c)).toBe(2);
    await services.documents.upsert(c, [{ id: 'battery-1', text: 'A completely different sentence about umbrellas.' }]);
    expect(await services.indexes.indexedCount(c)).toBe(10);
    expect((await hnsw(services, c)).seq).toBe(await services.store.maxSeq(c.key));
    const [top] = await services.search.search(c, { text: 'A completely different sentence about umbrellas.', limit: 1 });
    expect(top).toMatchObject({ document: { id: 'battery-1' } });
    expect(top!.score).toBeCloseTo(1, 4);
  });

  it('misses no write of concurrent writers', async () => {
    const { services } = await start();
    const c = await services.collections.create({ name: 'concurrent' });
    const batches = Array.from({ length: 6 }, (_, b) => docs.slice(b * 4, b * 4 + 4));
    await Promise.all(batches.map((batch) => services.documents.upsert(c, batch)));
    expect(await services.indexes.indexedCount(c)).toBe(24);
    expect((await hnsw(services, c)).seq).toBe(await services.store.maxSeq(c.key));
    const ids = docs.map((d) => d.id);
    expect(await selfHits(services, c, ids)).toEqual(ids);
  });

  it('saves on close, and after a restart loads its file and catches up with the writes it missed', async () => {
    const first = await start();
    const c = await first.services.collections.create({ name: 'restart' });
    await first.services.documents.upsert(c, docs.slice(0, 12));
    const seqAtStop = await first.services.store.maxSeq(c.key);
    await stop(first.services);
    expect(savedSeq(first.dir, c)).toBe(seqAtStop);

    // writes while the index manager was not running
    const between = await start(first.dir);
    await unheard(between.services).upsert(c, docs.slice(12, 18));
    await unheard(between.services).delete(c, ['battery-0', 'kitchen-5']);
    const seq = await between.services.store.maxSeq(c.key);
    // closing saves nothing for an index that was never opened
    expect(seq).toBeGreaterThan(seqAtStop);
    await stop(between.services);
    expect(savedSeq(first.dir, c)).toBe(seqAtStop);

    const { services } = await start(first.dir);
    const index = await hnsw(services, c);
    expect(index.loadedFrom).toBe('file');
    expect(index.seq).toBe(seq);
    expect(index.size).toBe(16);
    const live = docs.slice(0, 18).map((d) => d.id).filter((id) => id !== 'battery-0' && id !== 'kitchen-5');
    expect(await selfHits(services, c, live)).toEqual(live);
    const all = await services.search.search(c, { text: docs[0]!.text, limit: 100 });
    expect(all.map((h) => h.document.id).sort()).toEqual([...live].sort());
  });

  for (const [damage, spoil] of [
    ['a corrupt index file', (f: { index: string; meta: string }) => writeFileSync(f.index, 'not an hnsw index')],
    ['a missing index file', (f: { index: string; meta: string }) => rmSync(f.index)],
    ['no files at all', (f: { index: string; meta: string }) => (rmSync(f.index), rmSync(f.meta))],
    ['a file saved for other build parameters', (f: { index: string; meta: string }) => {
      const meta = JSON.parse(readFileSync(f.meta, 'utf8')) as { m: number };
      writeFileSync(f.meta, JSON.stringify({ ...meta, m: meta.m + 1 }));
    }],
  ] as const) {
    it(`rebuilds from the store after a restart with ${damage}`, async () => {
      const first = await start();
      const c = await first.services.collections.create({ name: 'damaged' });
      await first.services.documents.upsert(c, docs.slice(0, 10));
      await first.services.documents.delete(c, ['battery-3']);
      await stop(first.services);
      spoil(files(first.dir, c));

      const { services } = await start(first.dir);
      const index = await hnsw(services, c);
      expect(index.loadedFrom).toBe('empty');
      expect(index.size).toBe(9);
      expect(index.seq).toBe(await services.store.maxSeq(c.key));
      const live = docs.slice(0, 10).map((d) => d.id).filter((id) => id !== 'battery-3');
      expect(await selfHits(services, c, live)).toEqual(live);
      // and saves the rebuilt index for the next start
      await services.indexes.saveAll();
      expect(savedSeq(first.dir, c)).toBe(index.seq);
    });
  }

  it('saves only indexes whose seq moved since their last save', async () => {
    const { services, dir } = await start();
    const a = await services.collections.create({ name: 'saved-a' });
    const b = await services.collections.create({ name: 'saved-b' });
    await services.documents.upsert(a, docs.slice(0, 3));
    await services.documents.upsert(b, docs.slice(3, 6));
    await services.indexes.saveAll();
    const seqB = savedSeq(dir, b);
    const metaB = readFileSync(files(dir, b).meta, 'utf8');
    await services.documents.upsert(a, docs.slice(6, 8));
    await services.indexes.saveAll();
    expect(savedSeq(dir, a)).toBe(await services.store.maxSeq(a.key));
    // b did not change: its meta (with its savedAt) is the same file
    expect(readFileSync(files(dir, b).meta, 'utf8')).toBe(metaB);
    expect(savedSeq(dir, b)).toBe(seqB);
  });

  it('drops the index of a deleted collection with its files, and never opens it again for a request that still holds its row', async () => {
    const { services, dir } = await start();
    const c = await services.collections.create({ name: 'dropped' });
    await services.documents.upsert(c, docs.slice(0, 5));
    await services.indexes.saveAll();
    await services.indexes.drop(c);
    expect(() => readFileSync(files(dir, c).meta)).toThrow(/ENOENT/);
    expect(() => readFileSync(files(dir, c).index)).toThrow(/ENOENT/);
    await expect(services.indexes.get(c)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'collection "dropped" was deleted' });
    expect(services.indexes.loaded()).toEqual([]);
  });

  it('says how far each loaded index is behind the store: seqs, changes not applied, age of the oldest', async () => {
    const { services } = await start();
    const c = await services.collections.create({ name: 'lagging' });
    await services.documents.upsert(c, docs.slice(0, 3));
    await hnsw(services, c);
    const caughtUp = await services.indexes.lag();
    const seq = await services.store.maxSeq(c.key);
    expect(caughtUp).toEqual([{ collection: 'lagging', module: 'use-lite@1', serving: true, indexSeq: seq, storeSeq: seq, behind: 0, oldestUnappliedMs: 0, opening: false }]);
    // as if written through another process: this manager is not told
    const report = await unheard(services).upsert(c, docs.slice(3, 5));
    await new Promise((r) => setTimeout(r, 30));
    const [behind] = await services.indexes.lag();
    expect(behind).toMatchObject({ indexSeq: seq, storeSeq: report.seq, behind: 2, opening: false });
    expect(behind!.oldestUnappliedMs).toBeGreaterThanOrEqual(20);
    await services.indexes.waitForSeq(c, report.seq, 5000);
    expect((await services.indexes.lag())[0]).toMatchObject({ indexSeq: report.seq, behind: 0, oldestUnappliedMs: 0 });
  });

  it('afterSeq: an upsert reports the seq it committed, and a wait for it makes a write the manager never heard of searchable', async () => {
    const { services } = await start();
    const c = await services.collections.create({ name: 'after-seq' });
    await services.documents.upsert(c, docs.slice(0, 3));
    const index = await hnsw(services, c);
    // as if written through another process: this manager is not told
    const report = await unheard(services).upsert(c, docs.slice(3, 5));
    expect(report.seq).toBe(await services.store.maxSeq(c.key));
    expect(index.seq).toBeLessThan(report.seq);
    await services.indexes.waitForSeq(c, report.seq, 5000);
    expect(index.seq).toBeGreaterThanOrEqual(report.seq);
    expect(await selfHits(services, c, [docs[3]!.id, docs[4]!.id])).toEqual([docs[3]!.id, docs[4]!.id]);
    // a seq past the collection's newest change (a write to another collection) waits for nothing more
    await services.indexes.waitForSeq(c, report.seq + 1000, 50);
    expect(await services.indexes.storeSeq(c)).toBe(report.seq);
    expect((await unheard(services).upsert(c, [])).seq).toBe(0);
  });

  it('afterSeq: an index that cannot reach the seq within the bound is OVERLOADED, saying how far behind it is', async () => {
    const { services } = await start();
    const c = await services.collections.create({ name: 'after-seq-stalled' });
    await hnsw(services, c);
    const report = await unheard(services).upsert(c, docs.slice(0, 4));
    const store = services.store as { changesSince: typeof services.store.changesSince };
    const real = store.changesSince;
    // catch-up stalls (a store that answers nothing new); the count of what is missing still reads the log (changeLag)
    store.changesSince = () => Promise.resolve([]);
    try {
      const err = await services.indexes.waitForSeq(c, report.seq, 100).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'OVERLOADED', message: expect.stringMatching(/after-seq-stalled.*4 changes behind/) });
    } finally {
      store.changesSince = real;
    }
    await services.indexes.waitForSeq(c, report.seq, 5000);
    expect(await services.indexes.indexedCount(c)).toBe(4);
  });

  it('follower: the poll (SEMHUB_INDEX_POLL_MS) catches a loaded index up with writes it was never told of', async () => {
    const { services } = await start(undefined, { SEMHUB_INDEX_POLL_MS: '50' });
    const c = await services.collections.create({ name: 'polled' });
    const index = await hnsw(services, c);
    const report = await unheard(services).upsert(c, docs.slice(0, 5));
    const started = Date.now();
    while (index.seq < report.seq && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 10));
    expect(index.seq).toBe(report.seq);
    expect(index.size).toBe(5);
  });
});
