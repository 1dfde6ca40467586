/** The module-migration part of the store suite: vectors keyed by module, their change feeds, and the binding transactions. */
import { describe, expect, it } from 'vitest';
import type { CollectionRow, ModuleBinding, Store } from '../../src/store/types.js';
import { bytesOf, doc, MODULE_SHA, uniqueName, type SuiteContext } from './suite-support.js';

/** The module the suite's collections migrate to: 3-d, so a vector of the wrong module cannot pass for it. */
const TARGET: ModuleBinding = { name: 'other', version: '2', sha256: 'cd'.repeat(32), dims: 3 };
const targetVector = (seed: number) => Float32Array.from([seed, seed + 1, seed + 2]);

/** Starts a migration of `c` to TARGET; returns its job id. */
async function start(store: Store, c: CollectionRow): Promise<string> {
  const id = uniqueName('migrate');
  const { collection, job } = await store.startMigration(c.key, MODULE_SHA, TARGET, { id, kind: 'migrate', collectionKey: c.key, params: { target: TARGET } });
  expect(collection.migration).toEqual({ job: id, target: TARGET, dualWrite: false });
  expect(job).toMatchObject({ id, kind: 'migrate', status: 'PENDING' });
  return id;
}

/** Embeds every stale document of `c` for TARGET (as the migration job does); returns how many were written. */
async function catchUp(store: Store, c: CollectionRow, job: string): Promise<number | null> {
  const stale = await store.staleDocuments(c.key, TARGET.sha256, 0, 1000);
  return store.writeModuleVectors(c.key, job, TARGET.sha256, stale.map((d) => ({ key: d.key, contentHash: d.contentHash, vector: targetVector(d.key) })));
}

const codeOf = (p: Promise<unknown>) => p.then(() => null, (e: { code?: string; details?: { reason?: string } }) => `${e.code}:${e.details?.reason ?? ''}`);

/** Registers the module-migration tests. */
export function moduleMigrationTests(ctx: SuiteContext): void {
  describe('module migrations', () => {
    it('keys vectors by module: a write stores the bound module\'s vector with its seq and content hash, other modules see nothing', async () => {
      const store = ctx.store();
      const c = await ctx.collection('mm-keyed');
      const [a] = (await store.upsertDocuments(c.key, [doc('a', 'alpha')], { module: MODULE_SHA })).written;
      expect(await store.changesSince(c.key, MODULE_SHA, 0, 10)).toMatchObject([{ key: a!.key, seq: a!.seq, deleted: false }]);
      expect(await store.changesSince(c.key, TARGET.sha256, 0, 10)).toEqual([]);
      expect((await store.vectorsByContentHash(c.key, MODULE_SHA, ['h:alpha'])).size).toBe(1);
      expect((await store.vectorsByContentHash(c.key, TARGET.sha256, ['h:alpha'])).size).toBe(0);
      expect(await store.getVectorsByKeys(c.key, TARGET.sha256, [a!.key])).toEqual([null]);
      expect(await codeOf(store.upsertDocuments(c.key, [doc('b')], { module: TARGET.sha256 }))).toBe('CONFLICT:MODULE_CHANGED');
      expect(await store.countDocuments(c.key)).toBe(1);
    });

    it('starts one migration at a time, never to the bound module, and bumps the binding version', async () => {
      const store = ctx.store();
      const c = await ctx.collection('mm-start');
      const job = await start(store, c);
      const row = (await store.getCollection(c.name))!;
      expect(row.bindingVersion).toBe(c.bindingVersion + 1);
      expect(await store.getJob(job)).toMatchObject({ status: 'PENDING', params: { target: TARGET } });
      const again = { id: uniqueName('migrate'), kind: 'migrate', collectionKey: c.key, params: {} };
      expect(await codeOf(store.startMigration(c.key, MODULE_SHA, TARGET, again))).toBe('CONFLICT:MIGRATION_RUNNING');
      expect(await store.getJob(again.id)).toBeNull();
      const other = await ctx.collection('mm-start-same');
      const bound = { name: 'use-lite', version: '1.0.0', sha256: MODULE_SHA, dims: 4 };
      expect(await codeOf(store.startMigration(other.key, MODULE_SHA, bound, again))).toBe('CONFLICT:SAME_MODULE');
      expect(await codeOf(store.startMigration(other.key, 'ef'.repeat(32), TARGET, again))).toBe('CONFLICT:MODULE_CHANGED');
      expect(await codeOf(store.startMigration(999_999_999, MODULE_SHA, TARGET, again))).toBe('NOT_FOUND:');
      expect((await store.collectionVersions()).find((v) => v.key === c.key)).toEqual({ key: c.key, bindingVersion: row.bindingVersion });
    });

    it('lists stale documents (no target vector, or one of another text) and stores the job\'s vectors only for unchanged live documents', async () => {
      const store = ctx.store();
      const c = await ctx.collection('mm-stale');
      const out = await store.upsertDocuments(c.key, [doc('a'), doc('b'), doc('c'), doc('d')]);
      await store.deleteDocuments(c.key, ['d']);
      const [a, b, cc] = out.written.map((w) => w.key);
      const job = await start(store, c);
      expect(await store.countStale(c.key, TARGET.sha256)).toBe(3);
      expect((await store.staleDocuments(c.key, TARGET.sha256, 0, 2)).map((d) => d.key)).toEqual([a, b]);
      expect(await store.staleDocuments(c.key, TARGET.sha256, b!, 10)).toEqual([{ key: cc, text: 'text of c', contentHash: 'h:text of c' }]);
      const page = await store.staleDocuments(c.key, TARGET.sha256, 0, 10);
      // b is rewritten after the job read it: its vector is not stored, b stays stale
      await store.upsertDocuments(c.key, [doc('b', 'new b')]);
      const written = await store.writeModuleVectors(c.key, job, TARGET.sha256, page.map((d) => ({ key: d.key, contentHash: d.contentHash, vector: targetVector(d.key) })));
      expect(written).toBe(2);
      expect(await store.staleDocuments(c.key, TARGET.sha256, 0, 10)).toEqual([{ key: b, text: 'new b', contentHash: 'h:new b' }]);
      const feed = await store.changesSince(c.key, TARGET.sha256, 0, 10);
      expect(feed.map((ch) => ch.key)).toEqual([a, cc]);
      expect(feed[0]!.seq).toBeLessThan(feed[1]!.seq);
      expect(bytesOf(feed[1]!.vector!)).toEqual(bytesOf(targetVector(cc!)));
      expect(feed[1]!.seq).toBeGreaterThan(await store.maxSeq(c.key));
      expect(await store.changeLag(c.key, TARGET.sha256, 0)).toMatchObject({ storeSeq: feed[1]!.seq, behind: 2 });
      expect(await store.writeModuleVectors(c.key, 'not-the-job', TARGET.sha256, [])).toBeNull();
      expect((await store.vectorsByContentHash(c.key, TARGET.sha256, ['h:text of a', 'h:text of b'])).size).toBe(1);
    });

    it('gives every vector of a deleted document its delete seq, and a revived one\'s back to every index', async () => {
      const store = ctx.store();
      const c = await ctx.collection('mm-delete');
      const [a] = (await store.upsertDocuments(c.key, [doc('a')])).written;
      const job = await start(store, c);
      await catchUp(store, c, job);
      const before = (await store.changesSince(c.key, TARGET.sha256, 0, 10)).at(-1)!.seq;
      await store.deleteDocuments(c.key, ['a']);
      const [gone] = await store.changesSince(c.key, TARGET.sha256, before, 10);
      expect(gone).toMatchObject({ key: a!.key, deleted: true, vector: null });
      expect(await store.changesSince(c.key, MODULE_SHA, a!.seq, 10)).toEqual([{ key: a!.key, seq: gone!.seq, deleted: true, vector: null }]);
      expect(await store.countStale(c.key, TARGET.sha256)).toBe(0);
      const [back] = (await store.upsertDocuments(c.key, [doc('a')])).written;
      const [revived] = await store.changesSince(c.key, TARGET.sha256, gone!.seq, 10);
      expect(revived).toMatchObject({ key: a!.key, seq: back!.seq, deleted: false });
      expect(bytesOf(revived!.vector!)).toEqual(bytesOf(targetVector(a!.key)));
    });

    it('in its last phase makes every write carry the target\'s vectors, then swaps only when nothing is stale', async () => {
      const store = ctx.store();
      const c = await ctx.collection('mm-swap');
      await store.upsertDocuments(c.key, [doc('a'), doc('b')]);
      const job = await start(store, c);
      expect(await catchUp(store, c, job)).toBe(2);
      await store.upsertDocuments(c.key, [doc('c')]);
      expect(await store.swapModule(c.key, job, {})).toEqual({ swapped: false, stale: 1 });
      const dual = await store.enableDualWrite(c.key, job);
      expect(dual!.migration).toEqual({ job, target: TARGET, dualWrite: true });
      expect(await store.enableDualWrite(c.key, 'not-the-job')).toBeNull();
      expect(await codeOf(store.upsertDocuments(c.key, [doc('d')], { module: MODULE_SHA }))).toBe('CONFLICT:MODULE_CHANGED');
      const [d] = (await store.upsertDocuments(c.key, [{ ...doc('d'), targetVector: targetVector(7) }], { module: MODULE_SHA, target: TARGET.sha256 })).written;
      expect(bytesOf((await store.getVectorsByKeys(c.key, TARGET.sha256, [d!.key]))[0]!)).toEqual(bytesOf(targetVector(7)));
      expect(await catchUp(store, c, job)).toBe(1);
      const swap = await store.swapModule(c.key, job, { phase: 'swapped' });
      expect(swap).toMatchObject({ swapped: true });
      const row = swap && swap.swapped ? swap.collection : null;
      expect(row).toMatchObject({ module: TARGET, previousModule: { sha256: MODULE_SHA, dims: 4 }, migration: null, bindingVersion: dual!.bindingVersion + 1 });
      expect(await store.getCollection(c.name)).toEqual(row);
      expect(await store.getJob(job)).toMatchObject({ result: { phase: 'swapped' } });
      expect(await store.swapModule(c.key, job, {})).toBeNull();
      // writes now embed with the target alone; one embedded before the swap is refused
      expect(await codeOf(store.upsertDocuments(c.key, [doc('e')], { module: MODULE_SHA }))).toBe('CONFLICT:MODULE_CHANGED');
      const [e] = (await store.upsertDocuments(c.key, [{ ...doc('e'), vector: targetVector(9) }], { module: TARGET.sha256 })).written;
      expect((await store.changesSince(c.key, TARGET.sha256, 0, 100)).map((ch) => ch.key)).toContain(e!.key);
      // for a revert, only e (written after the swap) lacks a vector of the previous module
      expect((await store.staleDocuments(c.key, MODULE_SHA, 0, 10)).map((x) => x.key)).toEqual([e!.key]);
    });

    it('ends a migration without a swap (the collection as it was, the target vectors kept) and drops the other modules\' vectors', async () => {
      const store = ctx.store();
      const c = await ctx.collection('mm-end');
      await store.upsertDocuments(c.key, [doc('a'), doc('b')]);
      const job = await start(store, c);
      await catchUp(store, c, job);
      expect(await codeOf(store.dropPreviousVectors(c.key))).toBe('CONFLICT:MIGRATION_RUNNING');
      const ended = await store.endMigration(job, 'CANCELLED', null);
      expect(ended).toMatchObject({ key: c.key, module: c.module, migration: null, previousModule: null });
      expect(await store.getJob(job)).toMatchObject({ status: 'CANCELLED' });
      expect(await store.endMigration(job, 'FAILED', 'late')).toBeNull();
      expect(await store.getJob(job)).toMatchObject({ status: 'CANCELLED', error: null });
      expect(await store.writeModuleVectors(c.key, job, TARGET.sha256, [])).toBeNull();
      expect(await store.countStale(c.key, TARGET.sha256)).toBe(0);
      const dropped = await store.dropPreviousVectors(c.key);
      expect(dropped).toMatchObject({ dropped: 2, collection: { previousModule: null, bindingVersion: ended!.bindingVersion + 1 } });
      expect(await store.countStale(c.key, TARGET.sha256)).toBe(2);
      expect((await store.changesSince(c.key, MODULE_SHA, 0, 10))).toHaveLength(2);
      expect(await store.dropPreviousVectors(c.key)).toBeNull();
    });
  });
}
