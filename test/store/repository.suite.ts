/**
 * THE store test suite, run against every dialect (test/store/sqlite.test.ts, postgres.test.ts):
 * both implementations of `Store` must pass the same tests, as drizzle's own integration tests do.
 * `open` must return a store on the same database each time it is called (durability test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { classifierTests } from './suite-classifiers.js';
import { clusterReviewTests } from './suite-cluster-review.js';
import { clusteringTests } from './suite-clustering.js';
import { documentTests } from './suite-documents.js';
import { filterTests } from './suite-filters.js';
import { guardTests } from './suite-guard.js';
import { jobLeaseTests } from './suite-jobs.js';
import { moduleMigrationTests } from './suite-module-migration.js';
import { searchTests } from './suite-search.js';
import { bytesOf, doc, MODULE_SHA, newCollection, uniqueName, vectorFor, type SuiteContext } from './suite-support.js';

/** Registers the whole suite for the dialect `name`. */
export function repositoryTests(name: string, open: () => Promise<Store>): void {
  describe(`${name} store`, () => {
    let store: Store;
    const ctx: SuiteContext = {
      store: () => store,
      open,
      collection: (prefix, on) => newCollection(on ?? store, uniqueName(prefix)),
    };

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it(`reports its dialect`, () => {
      expect(store.dialect).toBe(name);
    });

    guardTests(ctx);

    describe('collections', () => {
      it('creates a collection and reads it back with its module binding', async () => {
        const c = await ctx.collection('create');
        expect(c).toMatchObject({
          module: { name: 'use-lite', version: '1.0.0', sha256: 'ab'.repeat(32), dims: 4 },
          metric: 'cosine',
          hnsw: { m: 16, efConstruction: 200, ef: 64 },
        });
        expect(c.createdAt).toBeInstanceOf(Date);
        expect(await store.getCollection(c.name)).toEqual(c);
        expect(await store.getCollection('no-such-collection')).toBeNull();
      });

      it('refuses a taken name with CONFLICT', async () => {
        const c = await ctx.collection('taken');
        await expect(newCollection(store, c.name)).rejects.toMatchObject({
          code: 'CONFLICT',
          message: `collection "${c.name}" already exists`,
        });
      });

      it('lists collections by key, page after page', async () => {
        const mine = [];
        for (let i = 0; i < 5; i++) mine.push(await ctx.collection('page'));
        const seen = [];
        let afterKey: number | undefined;
        for (;;) {
          const page = await store.listCollections({ first: 2, afterKey });
          seen.push(...page);
          if (page.length < 2) break;
          afterKey = page[page.length - 1]!.key;
        }
        const keys = seen.map((c) => c.key);
        expect(keys).toEqual([...keys].sort((a, b) => a - b));
        expect(new Set(keys).size).toBe(keys.length);
        expect(seen.filter((c) => c.name.startsWith('page-')).map((c) => c.name)).toEqual(
          expect.arrayContaining(mine.map((c) => c.name)),
        );
        const names = seen.map((c) => c.name);
        expect(mine.map((c) => names.indexOf(c.name))).toEqual([...mine.map((c) => names.indexOf(c.name))].sort((a, b) => a - b));
        expect(await store.countCollections()).toBe(seen.length);
      });

      it('deletes a collection with its documents, vectors and jobs', async () => {
        const c = await ctx.collection('doomed');
        await store.upsertDocuments(c.key, [doc('a'), doc('b')]);
        await store.createJob({ id: uniqueName('job'), kind: 'cluster', collectionKey: c.key, params: {} }).then(async (job) => {
          expect(await store.deleteCollection(c.name)).toBe(true);
          expect(await store.getJob(job.id)).toBeNull();
        });
        expect(await store.getCollection(c.name)).toBeNull();
        expect(await store.countDocuments(c.key)).toBe(0);
        expect(await store.countDeleted(c.key)).toBe(0);
        expect(await store.changesSince(c.key, MODULE_SHA, 0, 10)).toEqual([]);
        expect((await store.vectorsByContentHash(c.key, MODULE_SHA, ['h:text of a'])).size).toBe(0);
        expect(await store.deleteCollection(c.name)).toBe(false);
        const again = await newCollection(store, c.name);
        expect(again.key).not.toBe(c.key);
        expect(await store.countDocuments(again.key)).toBe(0);
      });

      it('lists the key of every collection, without the deleted ones', async () => {
        const [kept, gone] = [await ctx.collection('keys'), await ctx.collection('keys')];
        await store.deleteCollection(gone!.name);
        const keys = await store.collectionKeys();
        expect(keys).toEqual([...keys].sort((a, b) => a - b));
        expect(keys).toContain(kept!.key);
        expect(keys).not.toContain(gone!.key);
        expect(keys).toHaveLength(await store.countCollections());
      });
    });

    describe('modules', () => {
      it('records a module once per name and lists the records by name', async () => {
        const name = uniqueName('mod');
        const first = await store.recordModule({ name, version: '1', source: '/models/a', sha256: 'aa'.repeat(32), dims: 4 });
        expect(first).toMatchObject({ name, version: '1', source: '/models/a', sha256: 'aa'.repeat(32), dims: 4 });
        expect(first.createdAt).toBeInstanceOf(Date);
        // a second record of the name keeps the first: the caller compares
        expect(await store.recordModule({ name, version: '2', source: '/models/b', sha256: 'bb'.repeat(32), dims: 8 })).toEqual(first);
        const other = await store.recordModule({ name: `${name}-b`, version: '1', source: 'https://example.com/m', sha256: 'cc'.repeat(32), dims: 4 });
        const listed = (await store.listModules()).filter((m) => m.name.startsWith(name));
        expect(listed).toEqual([first, other]);
      });
    });

    documentTests(ctx);
    filterTests(ctx);
    searchTests(ctx);
    clusteringTests(ctx);
    clusterReviewTests(ctx);
    classifierTests(ctx);
    jobLeaseTests(ctx);
    moduleMigrationTests(ctx);

    describe('jobs', () => {
      it('creates, updates and reads jobs', async () => {
        const c = await ctx.collection('jobs');
        const id = uniqueName('job');
        const job = await store.createJob({ id, kind: 'cluster', collectionKey: c.key, params: { k: 8, filter: { lang: 'en' } } });
        expect(job).toMatchObject({ id, kind: 'cluster', collectionKey: c.key, status: 'PENDING', progress: 0, params: { k: 8, filter: { lang: 'en' } }, result: null, error: null });
        await store.updateJob(id, { status: 'RUNNING', progress: 0.5 });
        expect(await store.getJob(id)).toMatchObject({ status: 'RUNNING', progress: 0.5, result: null });
        await store.updateJob(id, { status: 'SUCCEEDED', progress: 1, result: { clusters: [{ size: 3 }] } });
        const done = await store.getJob(id);
        expect(done).toMatchObject({ status: 'SUCCEEDED', progress: 1, result: { clusters: [{ size: 3 }] }, params: { k: 8 } });
        expect(done!.updatedAt.getTime()).toBeGreaterThanOrEqual(done!.createdAt.getTime());
        await store.updateJob(uniqueName('missing-job'), { status: 'FAILED' });
        expect(await store.getJob('missing-job')).toBeNull();
        const free = await store.createJob({ id: uniqueName('job'), kind: 'reembed', collectionKey: null, params: {} });
        await store.updateJob(free.id, { status: 'FAILED', error: 'encoder crashed' });
        expect(await store.getJob(free.id)).toMatchObject({ collectionKey: null, status: 'FAILED', error: 'encoder crashed' });
      });
    });

    describe('concurrency and durability', () => {
      it('loses no writes when several callers upsert at once', async () => {
        const c = await ctx.collection('concurrent');
        const callers = 8;
        const perCaller = 20;
        await Promise.all(Array.from({ length: callers }, async (_, w) => {
          for (let b = 0; b < perCaller; b += 5) {
            const batch = [0, 1, 2, 3, 4].map((i) => doc(`w${w}-${b + i}`));
            await store.upsertDocuments(c.key, [...batch, doc('shared', `by ${w}`)]);
          }
        }));
        expect(await store.countDocuments(c.key)).toBe(callers * perCaller + 1);
        const changes = await store.changesSince(c.key, MODULE_SHA, 0, 10_000);
        expect(changes).toHaveLength(callers * perCaller + 1);
        const seqs = changes.map((ch) => ch.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(await store.maxSeq(c.key)).toBe(seqs[seqs.length - 1]);
      });

      it('keeps everything across close and reopen', async () => {
        const first = await open();
        const c = await ctx.collection('durable', first);
        const out = await first.upsertDocuments(c.key, [doc('a', 'kept', { n: 1 }, vectorFor(9)), doc('b'), doc('c')]);
        await first.deleteDocuments(c.key, ['c']);
        const jobId = uniqueName('job');
        await first.createJob({ id: jobId, kind: 'cluster', collectionKey: c.key, params: { k: 2 } });
        const seq = await first.maxSeq(c.key);
        await first.close();
        await first.close();

        const second = await open();
        try {
          expect(await second.getCollection(c.name)).toEqual(c);
          const [a] = await second.getDocumentsByIds(c.key, ['a']);
          expect(a).toMatchObject({ key: out.written[0]!.key, text: 'kept', metadata: { n: 1 } });
          expect(await second.countDocuments(c.key)).toBe(2);
          expect(await second.countDeleted(c.key)).toBe(1);
          expect(await second.maxSeq(c.key)).toBe(seq);
          const [v] = await second.vectors(c.key, MODULE_SHA, null, { first: 1 });
          expect(bytesOf(v!.vector)).toEqual(bytesOf(vectorFor(9)));
          expect(await second.getJob(jobId)).toMatchObject({ params: { k: 2 } });
          const [next] = (await second.upsertDocuments(c.key, [doc('d')])).written;
          expect(next!.seq).toBeGreaterThan(seq);
        } finally {
          await second.close();
        }
      });

      it('never lets a driver message reach the caller', async () => {
        const s = await open();
        await s.close();
        const err = await s.getCollection('x').then(() => null, (e: unknown) => e as Error);
        expect(err).toBeInstanceOf(Error);
        expect(err!.message).toMatch(/^store: getCollection failed/);
        expect(err!.message).not.toMatch(/select|from|collections/i);
      });
    });
  });
}
