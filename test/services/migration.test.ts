/**
 * Module migrations through the services (real SQLite store, real HNSW indexes, the real USE-lite
 * and a second real module, the bag of pieces of test/modules/bag-module.ts, loaded from a folder):
 * a collection migrates and swaps with its writes meanwhile embedded for the target, searches on
 * either side are computed with one module, stale heads retrain, every refusal has its code and
 * reason, a cancel leaves the collection as it was, a revert restores the previous results, and a
 * migration stopped with its server resumes where it was after a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { loadModuleRegistry } from '../../src/modules/registry.js';
import type { ModuleRegistry } from '../../src/modules/types.js';
import type { Services } from '../../src/services/services.js';
import { openStore } from '../../src/store/open.js';
import type { CollectionRow, JobRow } from '../../src/store/types.js';
import { BAG_DIMS, writeBagModule } from '../modules/bag-module.js';
import { corpus, openServices, tempDataDir, testConfig } from './support.js';

const docs = corpus();
let modules: ModuleRegistry;
let bagDir: string;
const open: Services[] = [];
const dirs: (() => void)[] = [];

/** Services over a fresh (or given) data folder that trust the bag module's folder; closed after each test. */
async function start(dir?: string): Promise<{ services: Services; dir: string }> {
  if (!dir) {
    const data = tempDataDir('migration');
    dirs.push(data.remove);
    dir = data.dir;
  }
  const services = await openServices(dir, modules, { SEMHUB_JOB_HEARTBEAT_MS: '100' });
  open.push(services);
  await services.modules.register({ name: 'bag', version: '1', source: `file://${bagDir}` });
  return { services, dir };
}

/** The code and reason of what `promise` rejects with. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const e = await promise.then(() => null, (err: unknown) => err);
  return isAppError(e) ? `${e.code}:${(e.details?.reason as string | undefined) ?? ''}` : `not refused: ${String(e)}`;
}

/** Waits for the job to finish; returns its row. */
async function finished(s: Services, id: string, timeoutMs = 60_000): Promise<JobRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await s.jobs.get(id))!;
    if (!['PENDING', 'RUNNING'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms: ${JSON.stringify(job.result)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const current = async (s: Services, name: string) => (await s.collections.current(name))!;
const top = async (s: Services, c: CollectionRow, text: string) => (await s.search.search(c, { text, limit: 5 })).map((h) => ({ id: h.document.id, score: h.score }));

beforeAll(async () => {
  bagDir = await writeBagModule(mkdtempSync(path.join(os.tmpdir(), 'semhub-bag-')));
  modules = await loadModuleRegistry(testConfig(os.tmpdir(), { SEMHUB_TRUSTED_MODULE_SOURCES: `file://${path.dirname(bagDir)}/` }));
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const remove of dirs.splice(0)) remove();
});

afterAll(async () => {
  await modules?.close();
  rmSync(bagDir, { recursive: true, force: true });
});

describe('module migration service', () => {
  it('migrates to another module and back: writes meanwhile found after the swap, stale heads retrained, previous results restored exactly', async () => {
    const { services: s } = await start();
    const c = await s.collections.create({ name: 'reviews' });
    await s.documents.upsert(c, docs);
    await s.classification.train(c, { name: 'topic', labelKey: 'topic', head: 'LOGISTIC', validationSplit: 0 });
    const before = await top(s, c, 'my phone battery dies quickly');
    const beforeById = await s.search.search(c, { documentId: 'kitchen-1', limit: 5 });

    const job = await s.migrations.migrate(c, 'bag', true);
    expect(job).toMatchObject({ kind: 'migrate', status: 'PENDING', params: { collection: 'reviews', target: { name: 'bag', dims: BAG_DIMS } } });
    // a write while it runs: embedded with use-lite, or with both in the last phase; found after the swap either way
    await s.documents.upsert(c, [{ id: 'late', text: 'The replacement battery charges in under an hour.', metadata: { topic: 'battery' } }]);
    const done = await finished(s, job.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', progress: 1, result: { phase: 'done', done: docs.length + 1, total: docs.length + 1, retrained: [{ name: 'topic', version: 2 }] } });

    const swapped = await current(s, 'reviews');
    expect(swapped).toMatchObject({ module: { name: 'bag', dims: BAG_DIMS }, previousModule: c.module, migration: null });
    expect(await s.indexes.indexedCount(swapped)).toBe(docs.length + 1);
    const after = await top(s, swapped, 'my phone battery dies quickly');
    expect((await top(s, swapped, 'The replacement battery charges in under an hour.'))[0]).toMatchObject({ id: 'late', score: expect.closeTo(1, 5) });
    // the hits are scored with the bag module's own embeddings
    const bag = await s.modules.acquire('bag');
    const [q, hit] = await bag.embed(['my phone battery dies quickly', docs.find((d) => d.id === after[0]!.id)!.text]);
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
    expect(after[0]!.score).toBeCloseTo(dot(q!, hit!), 5);
    // the search by the cached pre-swap row is run again on the swapped binding
    expect((await top(s, c, 'my phone battery dies quickly')).map((h) => h.id)).toEqual(after.map((h) => h.id));

    // heads: the new version serves, the stale one only when asked for by version (embedding with use-lite)
    expect((await s.classification.get(swapped, 'topic')).module.sha256).toBe(swapped.module.sha256);
    const skillet = 'This cast iron skillet sears steak beautifully.';
    expect((await s.classification.classify(swapped, 'topic', [skillet]))[0]).toMatchObject({ label: 'kitchen', classifier: { version: 2 } });
    expect((await s.classification.classify(swapped, 'topic', ['the toaster burns bread'], 1))[0]).toMatchObject({ label: 'kitchen', classifier: { version: 1 } });
    await s.classification.train(swapped, { name: 'old', labelKey: 'topic', head: 'LOGISTIC', validationSplit: 0 });
    // a clustering records the module it is computed with, and reads that module's vectors
    const clustering = await s.clustering.start(swapped, { k: 4, seed: 1 });
    expect(clustering.module).toEqual(swapped.module);
    expect(await finished(s, clustering.id)).toMatchObject({ status: 'SUCCEEDED', result: { documents: docs.length + 1 } });

    const revert = await s.migrations.revert(swapped);
    expect(revert.params).toMatchObject({ revert: true, target: c.module });
    expect(await finished(s, revert.id)).toMatchObject({ status: 'SUCCEEDED', result: { revert: true, retrained: [] } });
    const back = await current(s, 'reviews');
    expect(back).toMatchObject({ module: c.module, previousModule: swapped.module });
    await s.documents.delete(back, ['late']);
    expect(await top(s, back, 'my phone battery dies quickly')).toEqual(before);
    expect((await s.search.search(back, { documentId: 'kitchen-1', limit: 5 })).map((h) => [h.document.id, h.score])).toEqual(beforeById.map((h) => [h.document.id, h.score]));
    // a head trained while bag was bound is now the stale one
    expect(await refusal(s.classification.classify(back, 'old', ['x']))).toBe('CONFLICT:CLASSIFIER_STALE');

    expect(await s.migrations.dropPrevious(back)).toBe(true);
    const dropped = await current(s, 'reviews');
    expect(dropped.previousModule).toBeNull();
    expect(await s.store.countStale(c.key, swapped.module.sha256)).toBe(docs.length);
    expect(await refusal(s.migrations.revert(dropped))).toBe('CONFLICT:NO_PREVIOUS_MODULE');
    // a pinned stale network head needs only its module loaded, not its vectors
    expect((await s.classification.classify(dropped, 'old', [skillet], 1))[0]).toMatchObject({ label: 'kitchen', classifier: { version: 1, module: { name: 'bag' } } });
  });

  it('refuses what cannot be done with a code and a reason', async () => {
    const { services: s } = await start();
    const c = await s.collections.create({ name: 'refused' });
    await s.documents.upsert(c, docs.slice(0, 4));
    expect(await refusal(s.migrations.migrate(c, 'use-lite', false))).toBe('CONFLICT:SAME_MODULE');
    expect(await refusal(s.migrations.migrate(c, 'no-such-module', false))).toBe('NOT_FOUND:');
    expect(await refusal(s.migrations.revert(c))).toBe('CONFLICT:NO_PREVIOUS_MODULE');
    expect(await refusal(s.migrations.cancel(c))).toBe('CONFLICT:NO_MIGRATION');
    expect(await refusal(s.migrations.dropPrevious(c))).toBe('CONFLICT:NO_PREVIOUS_MODULE');
    const job = await s.migrations.migrate(c, 'bag', false);
    expect(await refusal(s.migrations.migrate(c, 'bag', false))).toBe('CONFLICT:MIGRATION_RUNNING');
    expect(await refusal(s.migrations.dropPrevious(c))).toBe('CONFLICT:MIGRATION_RUNNING');
    await finished(s, job.id);
    expect(await refusal(s.migrations.migrate(await current(s, 'refused'), 'bag', false))).toBe('CONFLICT:SAME_MODULE');
  });

  it('cancels a migration leaving the collection as it was', async () => {
    const { services: s } = await start();
    // bag to use-lite: the slow direction, so the cancel comes while it runs
    const c = await s.collections.create({ name: 'cancelled', module: 'bag' });
    await s.documents.upsert(c, docs);
    const before = await top(s, c, 'a sharp knife');
    const job = await s.migrations.migrate(c, 'use-lite', false);
    const running = await current(s, 'cancelled');
    expect(running.migration).toMatchObject({ job: job.id, target: { name: 'use-lite' } });
    expect(await s.migrations.view(running)).toMatchObject({ job: { id: job.id }, target: { name: 'use-lite' }, revert: false });
    expect(await s.migrations.cancel(running)).toBe(true);
    expect(await finished(s, job.id)).toMatchObject({ status: 'CANCELLED' });
    const after = await current(s, 'cancelled');
    expect(after).toMatchObject({ module: c.module, migration: null, previousModule: null });
    expect(await top(s, after, 'a sharp knife')).toEqual(before);
  });

  it('resumes a migration whose server stopped, from the vectors it had stored', async () => {
    const first = await start();
    const c = await first.services.collections.create({ name: 'resumed' });
    await first.services.documents.upsert(c, docs);
    const job = await first.services.migrations.migrate(c, 'bag', false);
    await first.services.close();
    open.splice(open.indexOf(first.services), 1);
    const store = await openStore({ dataDir: first.dir });
    const stopped = await store.getJob(job.id);
    await store.close();
    expect(['PENDING', 'RUNNING']).toContain(stopped!.status);

    const second = await start(first.dir);
    const done = await finished(second.services, job.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect((await current(second.services, 'resumed')).module.name).toBe('bag');
    expect(await second.services.indexes.indexedCount(await current(second.services, 'resumed'))).toBe(docs.length);
  });
});
