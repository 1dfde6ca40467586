/**
 * The cluster map and review part of the store suite: a finished clustering's 2D positions are
 * stored with its assignments and paged by document key (deleted documents drop out), review
 * patches change only what they give, a cluster's documents can be read with those merged into
 * it, and a metadata patch can remove keys.
 */
import { describe, expect, it } from 'vitest';
import type { ClusteringOutcome, CollectionRow } from '../../src/store/types.js';
import { outcome, PARAMS } from './suite-clustering.js';
import { doc, uniqueName, type SuiteContext } from './suite-support.js';

const PROJECTION = { method: 'umap', sampleSize: 4, neighbors: 3, seed: 7 };

/** `outcome(keys)` with document i at (i, i / 2 + 1), the even ones sampled. */
function mapped(keys: number[]): ClusteringOutcome {
  return {
    ...outcome(keys),
    projection: { info: PROJECTION, xy: keys.flatMap((_, i) => [i, i / 2 + 1]), sampled: keys.map((_, i) => (i % 2 === 0 ? 1 : 0)) },
  };
}

/** Registers the cluster map and review tests. */
export function clusterReviewTests(ctx: SuiteContext): void {
  describe('cluster map and review', () => {
    const store = () => ctx.store();
    async function finished(prefix: string, n: number, o: (keys: number[]) => ClusteringOutcome = mapped): Promise<{ c: CollectionRow; keys: number[]; key: number }> {
      const c = await ctx.collection(prefix);
      const out = await store().upsertDocuments(c.key, Array.from({ length: n }, (_, i) => doc(`d${i}`, `text ${i}`, { n: i })));
      const keys = out.written.map((w) => w.key);
      const id = uniqueName('clu');
      await store().createClustering({ id, collectionKey: c.key, params: PARAMS });
      expect(await store().finishClustering(id, o(keys))).toBe(true);
      return { c, keys, key: (await store().getClustering(id))!.key };
    }

    it('stores each document\'s place on the map and pages the live ones by key', async () => {
      const { c, keys, key } = await finished('map-points', 7);
      const got = await store().getClusters([key]);
      expect(got[0]!.map((cl) => cl.index)).toEqual([0, 1]);
      const [clustering] = await store().listClusterings(c.key, { first: 1 });
      expect(clustering!.projection).toEqual(PROJECTION);
      expect(await store().countClusterPoints(key)).toBe(7);
      const first = await store().listClusterPoints(key, { first: 3 });
      expect(first).toEqual([0, 1, 2].map((i) => ({ documentKey: keys[i], documentId: `d${i}`, cluster: i % 2, x: i, y: i / 2 + 1, sampled: i % 2 === 0 })));
      const rest = await store().listClusterPoints(key, { first: 10, afterKey: first.at(-1)!.documentKey });
      expect(rest.map((p) => p.documentId)).toEqual(['d3', 'd4', 'd5', 'd6']);
      await store().deleteDocuments(c.key, ['d4']);
      expect((await store().listClusterPoints(key, { first: 10 })).map((p) => p.documentId)).toEqual(['d0', 'd1', 'd2', 'd3', 'd5', 'd6']);
      expect(await store().countClusterPoints(key)).toBe(6);
    });

    it('has no points for a clustering stored without a map', async () => {
      const { key } = await finished('map-none', 4, outcome);
      expect(await store().listClusterPoints(key, { first: 10 })).toEqual([]);
      expect(await store().countClusterPoints(key)).toBe(0);
    });

    it('changes only the review fields a patch gives, in one call', async () => {
      const { key } = await finished('review-patch', 6);
      expect(await store().reviewClusters(key, [{ cluster: 0, reviewedLabel: 'kettles' }, { cluster: 1, noise: true }])).toBe(2);
      let [rows] = await store().getClusters([key]);
      expect(rows!.map((r) => [r.label, r.reviewedLabel, r.noise, r.mergedInto])).toEqual([['label 0', 'kettles', false, null], ['label 1', null, true, null]]);
      expect(await store().reviewClusters(key, [{ cluster: 1, mergedInto: 0, noise: false }, { cluster: 0, reviewedLabel: null }, { cluster: 9, noise: true }])).toBe(2);
      [rows] = await store().getClusters([key]);
      expect(rows!.map((r) => [r.label, r.reviewedLabel, r.noise, r.mergedInto])).toEqual([['label 0', null, false, null], ['label 1', null, false, 0]]);
    });

    it('reads the live documents of several clusters as one, by key', async () => {
      const { c, key } = await finished('review-members', 6);
      expect((await store().listClusterDocuments(key, [0, 1], { first: 4 })).map((d) => d.id)).toEqual(['d0', 'd1', 'd2', 'd3']);
      await store().deleteDocuments(c.key, ['d1']);
      expect(await store().countClusterDocuments(key, [0, 1])).toBe(5);
      expect(await store().countClusterDocuments(key, [1])).toBe(2);
    });

    it('removes metadata keys with a patch\'s unset before merging its set', async () => {
      const c = await ctx.collection('patch-unset');
      const out = await store().upsertDocuments(c.key, [doc('a', 'a text', { topic: 'x', keep: 1 }), doc('b', 'b text', { keep: 2 })]);
      const [a, b] = out.written.map((w) => w.key);
      expect(await store().patchDocumentMetadata(c.key, [{ key: a!, set: {}, unset: ['topic'] }, { key: b!, set: { topic: 'y' }, unset: ['keep', 'missing'] }])).toBe(2);
      const docs = await store().getDocumentsByIds(c.key, ['a', 'b']);
      expect(docs.map((d) => d?.metadata)).toEqual([{ keep: 1 }, { topic: 'y' }]);
    });
  });
}
