/**
 * The classifier part of the store suite: versions per name, weights stored bit-exact, latest
 * versions listed, deletes by version or name, cascades, and metadata patches that leave text and
 * vector alone but bump seq.
 */
import { describe, expect, it } from 'vitest';
import type { ClassifierMetrics, CollectionRow, NewClassifier } from '../../src/store/types.js';
import { bytesOf, DIMS, doc, MODULE_SHA, uniqueName, vectorFor, type SuiteContext } from './suite-support.js';

const METRICS: ClassifierMetrics = {
  n: 4, accuracy: 0.75, macroF1: 0.7333,
  perClass: [{ label: 'neg', precision: 1, recall: 0.5, f1: 0.6667, support: 2 }, { label: 'pos', precision: 0.6667, recall: 1, f1: 0.8, support: 2 }],
  confusion: [[1, 1], [0, 2]], sliceBy: 'source',
  perSlice: [{ slice: 'a', n: 2, accuracy: 1, macroF1: 1 }, { slice: null, n: 2, accuracy: 0.5, macroF1: 0.3333 }],
  sliceGap: { best: 'a', worst: null, gap: 0.5 }, warning: 'accuracy differs by 0.50 between slices',
};

/** A logistic head over DIMS inputs and two labels; `fill` sets every weight. */
function head(c: CollectionRow, name: string, fill = 0.5): NewClassifier {
  const weights = new Float32Array(DIMS * 2 + 2).fill(fill);
  weights[0] = Number.NaN;
  weights[1] = -0;
  return {
    collectionKey: c.key, name, head: 'LOGISTIC', labelKey: 'label', labels: ['neg', 'pos'],
    hyperparameters: { l2: 0.01, seed: 3, filter: { lang: 'en' } }, metrics: METRICS, training: { iterations: 12, reason: 'gtol' },
    module: c.module, layers: [DIMS, 2], weights, trainedOn: 16, validatedOn: 4, skipped: 1,
  };
}

/** Registers the classifier tests. */
export function classifierTests(ctx: SuiteContext): void {
  describe('classifiers', () => {
    const store = () => ctx.store();

    it('stores a head as version 1 and reads it back with its weights bit-exact', async () => {
      const c = await ctx.collection('cls-create');
      const input = head(c, 'sentiment');
      const row = await store().createClassifier(input);
      const { weights, ...rest } = input;
      expect(row).toMatchObject({ ...rest, version: 1 });
      expect(row.createdAt).toBeInstanceOf(Date);
      expect(await store().getClassifier(c.key, 'sentiment')).toEqual(row);
      expect(bytesOf((await store().getClassifierWeights(row.key))!)).toEqual(bytesOf(weights));
      expect(await store().getClassifier(c.key, 'other')).toBeNull();
    });

    it('numbers retrainings 2, 3 ... keeps older versions and serves the latest by default', async () => {
      const c = await ctx.collection('cls-versions');
      const v1 = await store().createClassifier(head(c, 'topic', 1));
      const v2 = await store().createClassifier({ ...head(c, 'topic', 2), metrics: null });
      const v3 = await store().createClassifier(head(c, 'topic', 3));
      expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
      expect((await store().getClassifier(c.key, 'topic'))!.version).toBe(3);
      expect(await store().getClassifier(c.key, 'topic', 2)).toEqual(v2);
      expect(v2.metrics).toBeNull();
      expect((await store().getClassifierWeights(v1.key))![5]).toBe(1);
      expect(await store().classifierVersions(c.key, 'topic')).toEqual([1, 2, 3]);
      expect(await store().getClassifier(c.key, 'topic', 9)).toBeNull();
      // versions count per name and per collection
      const other = await ctx.collection('cls-versions-other');
      expect((await store().createClassifier(head(other, 'topic'))).version).toBe(1);
      expect((await store().createClassifier(head(c, 'spam'))).version).toBe(1);
    });

    it('numbers concurrent trainings of one name without gaps or duplicates', async () => {
      const c = await ctx.collection('cls-race');
      const rows = await Promise.all(Array.from({ length: 6 }, () => store().createClassifier(head(c, 'race'))));
      expect(rows.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('lists the latest version of each name, by name', async () => {
      const c = await ctx.collection('cls-list');
      await store().createClassifier(head(c, 'beta'));
      await store().createClassifier(head(c, 'alpha'));
      await store().createClassifier(head(c, 'beta'));
      const list = await store().listClassifiers(c.key);
      expect(list.map((r) => [r.name, r.version])).toEqual([['alpha', 1], ['beta', 2]]);
      expect(await store().listClassifiers((await ctx.collection('cls-empty')).key)).toEqual([]);
    });

    it('deletes one version or all of a name, and cascades with the collection', async () => {
      const c = await ctx.collection('cls-delete');
      for (let i = 0; i < 3; i++) await store().createClassifier(head(c, 'gone'));
      expect(await store().deleteClassifier(c.key, 'gone', 3)).toBe(1);
      expect((await store().getClassifier(c.key, 'gone'))!.version).toBe(2);
      expect(await store().deleteClassifier(c.key, 'gone')).toBe(2);
      expect(await store().deleteClassifier(c.key, 'gone')).toBe(0);
      const kept = await store().createClassifier(head(c, 'kept'));
      await store().deleteCollection(c.name);
      expect(await store().getClassifierWeights(kept.key)).toBeNull();
    });

    it('refuses a head for a missing collection with NOT_FOUND', async () => {
      const c = await ctx.collection('cls-missing');
      await store().deleteCollection(c.name);
      await expect(store().createClassifier(head(c, 'x'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('fails unfinished jobs of a kind that nobody refreshed', async () => {
      const c = await ctx.collection('cls-stale');
      const running = await store().createJob({ id: uniqueName('job'), kind: 'classify', collectionKey: c.key, params: {} });
      await store().updateJob(running.id, { status: 'RUNNING' });
      const done = await store().createJob({ id: uniqueName('job'), kind: 'classify', collectionKey: c.key, params: {} });
      await store().updateJob(done.id, { status: 'SUCCEEDED' });
      const other = await store().createJob({ id: uniqueName('job'), kind: 'cluster-like', collectionKey: c.key, params: {} });
      expect(await store().failStaleJobs('classify', new Date(Date.now() - 60_000), 'stale')).not.toContain(running.id);
      const failed = await store().failStaleJobs('classify', new Date(Date.now() + 60_000), 'the server stopped');
      expect(failed).toContain(running.id);
      expect(failed).not.toContain(done.id);
      expect(await store().getJob(running.id)).toMatchObject({ status: 'FAILED', error: 'the server stopped' });
      expect(await store().getJob(done.id)).toMatchObject({ status: 'SUCCEEDED' });
      expect(await store().getJob(other.id)).toMatchObject({ status: 'PENDING' });
    });

    it('reads live vectors with their metadata by filter, page after page', async () => {
      const c = await ctx.collection('cls-vm');
      const out = await store().upsertDocuments(c.key, [doc('a', 'alpha', { label: 'x' }, vectorFor(1)), doc('b', 'beta', null), doc('c', 'gamma', { label: 'y' }), doc('d', 'delta', { label: 'x' })]);
      await store().deleteDocuments(c.key, ['c']);
      const first = await store().vectorsWithMetadata(c.key, MODULE_SHA, null, { first: 2 });
      expect(first.map((r) => [r.key, r.metadata])).toEqual([[out.written[0]!.key, { label: 'x' }], [out.written[1]!.key, null]]);
      expect(bytesOf(first[0]!.vector)).toEqual(bytesOf(vectorFor(1)));
      const rest = await store().vectorsWithMetadata(c.key, MODULE_SHA, null, { first: 2, afterKey: first[1]!.key });
      expect(rest.map((r) => r.key)).toEqual([out.written[3]!.key]);
      const filtered = await store().vectorsWithMetadata(c.key, MODULE_SHA, { op: 'cmp', key: 'label', cmp: 'eq', value: 'x' }, { first: 10 });
      expect(filtered.map((r) => r.metadata)).toEqual([{ label: 'x' }, { label: 'x' }]);
    });

    it('patches metadata of live documents with a new seq each, leaving text and vector as they were', async () => {
      const c = await ctx.collection('cls-patch');
      const out = await store().upsertDocuments(c.key, [doc('a', 'alpha', { lang: 'en', n: 1 }), doc('b', 'beta', null), doc('c', 'gamma', { lang: 'de' })]);
      await store().deleteDocuments(c.key, ['c']);
      const [a, b, gone] = out.written.map((w) => w.key);
      const before = await store().maxSeq(c.key);
      const [va] = await store().getVectorsByKeys(c.key, MODULE_SHA, [a!]);
      const prediction = { label: 'pos', probability: 0.9, version: 2 };
      const n = await store().patchDocumentMetadata(c.key, [
        { key: a!, set: { prediction_s: prediction, n: 2 } }, { key: b!, set: { prediction_s: prediction } },
        { key: gone!, set: { prediction_s: prediction } }, { key: 999_999_999, set: { x: 1 } },
      ]);
      expect(n).toBe(2);
      const [da, db] = await store().getDocumentsByIds(c.key, ['a', 'b']);
      expect(da).toMatchObject({ text: 'alpha', contentHash: 'h:alpha', metadata: { lang: 'en', n: 2, prediction_s: prediction } });
      expect(db!.metadata).toEqual({ prediction_s: prediction });
      expect(da!.seq).toBeGreaterThan(before);
      expect(db!.seq).toBeGreaterThan(before);
      expect(da!.seq).not.toBe(db!.seq);
      // the vectors did not change: their indexes have nothing to apply
      expect(await store().changesSince(c.key, MODULE_SHA, before, 10)).toEqual([]);
      expect(bytesOf((await store().getVectorsByKeys(c.key, MODULE_SHA, [a!]))[0]!)).toEqual(bytesOf(va!));
      expect(await store().countDocuments(c.key, { op: 'cmp', key: 'prediction_s.label', cmp: 'eq', value: 'pos' })).toBe(2);
      expect(await store().patchDocumentMetadata(c.key, [])).toBe(0);
    });
  });
}
