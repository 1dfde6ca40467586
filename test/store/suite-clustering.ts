/**
 * The clustering part of the store suite: a clustering and its job move together, a finished
 * clustering stores its clusters and assignments in one step, and everything cascades.
 */
import { describe, expect, it } from 'vitest';
import type { ClusteringOutcome, ClusteringParams, CollectionRow } from '../../src/store/types.js';
import { doc, uniqueName, type SuiteContext } from './suite-support.js';

export const PARAMS: ClusteringParams = { kRequested: 2, seed: 7, restarts: 3, filter: { lang: { in: ['en', 'de'] } }, evaluateAgainst: 'topic' };

const QUALITY = {
  silhouette: 0.25, silhouetteSampleSize: 6, inertia: 1.5, evaluatedAgainst: 'topic', evaluatedCount: 5, missingLabelCount: 1,
  nmi: 0.5, ari: 0.4, vMeasure: 0.5, homogeneity: 0.6, completeness: 0.45,
};

/** An outcome putting the documents with `keys` alternately in clusters 0 and 1. */
export function outcome(keys: number[]): ClusteringOutcome {
  const assignments = keys.map((_, i) => i % 2);
  const cluster = (index: number) => ({
    index,
    size: assignments.filter((a) => a === index).length,
    label: `label ${index}`,
    keywords: [{ term: `word${index}`, score: 0.5 }, { term: 'shared', score: 0.125 }],
    representatives: keys.filter((_, i) => i % 2 === index).slice(0, 2).map((documentKey, r) => ({ documentKey, score: 0.9 - r / 10, distance: 0.1 + r / 10 })),
  });
  return { k: 2, kChosenBy: 'requested', quality: QUALITY, clusters: [cluster(0), cluster(1)], documentKeys: keys, assignments };
}

/** Registers the clustering tests. */
export function clusteringTests(ctx: SuiteContext): void {
  describe('clusterings', () => {
    const store = () => ctx.store();
    async function withDocs(prefix: string, n: number): Promise<{ c: CollectionRow; keys: number[] }> {
      const c = await ctx.collection(prefix);
      const out = await store().upsertDocuments(c.key, Array.from({ length: n }, (_, i) => doc(`d${i}`)));
      return { c, keys: out.written.map((w) => w.key) };
    }

    it('creates a PENDING clustering together with its job, under the same id', async () => {
      const c = await ctx.collection('clu-create');
      const id = uniqueName('clu');
      const row = await store().createClustering({ id, collectionKey: c.key, params: PARAMS });
      expect(row).toMatchObject({
        id, collectionKey: c.key, collectionName: c.name, status: 'PENDING', progress: 0, error: null,
        k: null, kChosenBy: null, documentCount: null, quality: null, ...PARAMS,
      });
      expect(row.createdAt).toBeInstanceOf(Date);
      expect(await store().getClustering(id)).toEqual(row);
      expect(await store().getJob(id)).toMatchObject({
        kind: 'cluster', collectionKey: c.key, status: 'PENDING', progress: 0,
        params: { k: 2, seed: 7, restarts: 3, filter: PARAMS.filter, evaluateAgainst: 'topic' },
      });
      expect(await store().getClustering('no-such-clustering')).toBeNull();
      const bare = await store().createClustering({ id: uniqueName('clu'), collectionKey: c.key, params: { ...PARAMS, kRequested: null, filter: null, evaluateAgainst: null } });
      expect(bare).toMatchObject({ kRequested: null, filter: null, evaluateAgainst: null });
    });

    it('refuses a clustering of a missing collection with NOT_FOUND', async () => {
      await expect(store().createClustering({ id: uniqueName('clu'), collectionKey: 999_999_999, params: PARAMS }))
        .rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('mirrors status, progress and error onto the job, and leaves finished clusterings alone', async () => {
      const c = await ctx.collection('clu-update');
      const id = uniqueName('clu');
      const created = await store().createClustering({ id, collectionKey: c.key, params: PARAMS });
      await store().updateClustering(id, { status: 'RUNNING', progress: 0.25, k: 2, kChosenBy: 'requested' });
      const running = await store().getClustering(id);
      expect(running).toMatchObject({ status: 'RUNNING', progress: 0.25, k: 2, kChosenBy: 'requested' });
      expect(running!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      expect(await store().getJob(id)).toMatchObject({ status: 'RUNNING', progress: 0.25 });
      await store().updateClustering(id, { status: 'FAILED', error: 'k-means ran out of memory' });
      await store().updateClustering(id, { status: 'RUNNING', progress: 0.9 });
      expect(await store().getClustering(id)).toMatchObject({ status: 'FAILED', progress: 0.25, error: 'k-means ran out of memory' });
      expect(await store().getJob(id)).toMatchObject({ status: 'FAILED', progress: 0.25, error: 'k-means ran out of memory' });
      await store().updateClustering(uniqueName('missing'), { progress: 1 });
    });

    it('stores a finished clustering: clusters in order, assignments, quality, and a SUCCEEDED job', async () => {
      const { c, keys } = await withDocs('clu-finish', 7);
      const id = uniqueName('clu');
      await store().createClustering({ id, collectionKey: c.key, params: PARAMS });
      const o = outcome(keys.slice(0, 6));
      expect(await store().finishClustering(id, o)).toBe(true);
      const done = await store().getClustering(id);
      expect(done).toMatchObject({ status: 'SUCCEEDED', progress: 1, k: 2, kChosenBy: 'requested', documentCount: 6, quality: QUALITY });
      expect(await store().getJob(id)).toMatchObject({
        status: 'SUCCEEDED', progress: 1, result: { clusteringId: id, k: 2, documents: 6, sizes: [3, 3] },
      });
      const [got] = await store().getClusters([done!.key]);
      expect(got).toEqual(o.clusters.map((cl) => ({ ...cl, clusteringKey: done!.key, reviewedLabel: null, noise: false, mergedInto: null })));
      expect(done!.projection).toBeNull();
      expect(await store().getClusters([done!.key + 1_000_000, done!.key])).toEqual([[], got]);
      expect(await store().finishClustering(id, o)).toBe(false);
    });

    it('pages a cluster\'s live documents by key and counts them; deleted documents drop out', async () => {
      const { c, keys } = await withDocs('clu-page', 9);
      const id = uniqueName('clu');
      await store().createClustering({ id, collectionKey: c.key, params: PARAMS });
      await store().finishClustering(id, outcome(keys));
      const { key } = (await store().getClustering(id))!;
      const evens = keys.filter((_, i) => i % 2 === 0);
      const seen: number[] = [];
      let afterKey: number | undefined;
      for (;;) {
        const page = await store().listClusterDocuments(key, [0], { first: 2, afterKey });
        seen.push(...page.map((d) => d.key));
        if (page.length < 2) break;
        afterKey = page.at(-1)!.key;
      }
      expect(seen).toEqual(evens);
      expect(await store().countClusterDocuments(key, [0])).toBe(5);
      expect(await store().countClusterDocuments(key, [1])).toBe(4);
      const [first] = await store().listClusterDocuments(key, [1], { first: 1 });
      expect(first).toMatchObject({ id: 'd1', text: 'text of d1', key: keys[1] });
      await store().deleteDocuments(c.key, ['d0', 'd2']);
      expect((await store().listClusterDocuments(key, [0], { first: 10 })).map((d) => d.id)).toEqual(['d4', 'd6', 'd8']);
      expect(await store().countClusterDocuments(key, [0])).toBe(3);
      expect(await store().listClusterDocuments(key, [5], { first: 10 })).toEqual([]);
    });

    it('stores more assignments than one statement may bind', async () => {
      const { c, keys } = await withDocs('clu-many', 2600);
      const id = uniqueName('clu');
      await store().createClustering({ id, collectionKey: c.key, params: PARAMS });
      await store().finishClustering(id, outcome(keys));
      const { key } = (await store().getClustering(id))!;
      expect(await store().countClusterDocuments(key, [0])).toBe(1300);
      expect(await store().countClusterDocuments(key, [1])).toBe(1300);
    });

    it('lists a collection\'s clusterings oldest first, page after page, and counts them', async () => {
      const c = await ctx.collection('clu-list');
      const other = await ctx.collection('clu-list-other');
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await store().createClustering({ id: uniqueName('clu'), collectionKey: c.key, params: PARAMS })).id);
      await store().createClustering({ id: uniqueName('clu'), collectionKey: other.key, params: PARAMS });
      const seen: string[] = [];
      let afterKey: number | undefined;
      for (;;) {
        const page = await store().listClusterings(c.key, { first: 2, afterKey });
        seen.push(...page.map((r) => r.id));
        if (page.length < 2) break;
        afterKey = page.at(-1)!.key;
      }
      expect(seen).toEqual(ids);
      expect(await store().countClusterings(c.key)).toBe(5);
      expect(await store().countClusterings(other.key)).toBe(1);
    });

    it('deletes a clustering with its clusters, assignments and job', async () => {
      const { c, keys } = await withDocs('clu-delete', 4);
      const id = uniqueName('clu');
      await store().createClustering({ id, collectionKey: c.key, params: PARAMS });
      await store().finishClustering(id, outcome(keys));
      const { key } = (await store().getClustering(id))!;
      expect(await store().deleteClustering(id)).toBe(true);
      expect(await store().getClustering(id)).toBeNull();
      expect(await store().getJob(id)).toBeNull();
      expect(await store().getClusters([key])).toEqual([[]]);
      expect(await store().countClusterDocuments(key, [0])).toBe(0);
      expect(await store().deleteClustering(id)).toBe(false);
      const job = await store().createJob({ id: uniqueName('job'), kind: 'train', collectionKey: c.key, params: {} });
      expect(await store().deleteClustering(job.id)).toBe(false);
      expect(await store().getJob(job.id)).not.toBeNull();
      expect(await store().countDocuments(c.key)).toBe(4);
    });

    it('deletes clusterings, clusters and assignments with their collection', async () => {
      const { c, keys } = await withDocs('clu-cascade', 4);
      const id = uniqueName('clu');
      await store().createClustering({ id, collectionKey: c.key, params: PARAMS });
      await store().finishClustering(id, outcome(keys));
      const { key } = (await store().getClustering(id))!;
      expect(await store().deleteCollection(c.name)).toBe(true);
      expect(await store().getClustering(id)).toBeNull();
      expect(await store().getClusters([key])).toEqual([[]]);
      expect(await store().countClusterings(c.key)).toBe(0);
      expect(await store().finishClustering(id, outcome(keys))).toBe(false);
    });

    it('fails unfinished clusterings not updated since a cut-off, with their jobs, and nothing else', async () => {
      const c = await ctx.collection('clu-stale');
      const make = () => store().createClustering({ id: uniqueName('clu'), collectionKey: c.key, params: PARAMS });
      const [pending, running, done] = [await make(), await make(), await make()];
      await store().updateClustering(running.id, { status: 'RUNNING', progress: 0.5 });
      const { keys } = await withDocs('clu-stale-docs', 2);
      await store().finishClustering(done.id, outcome(keys));
      await new Promise((r) => setTimeout(r, 5));
      const cutoff = new Date();
      await new Promise((r) => setTimeout(r, 5));
      const fresh = await make();
      const failed = await store().failStaleClusterings(cutoff, 'the server stopped');
      expect(failed).toEqual(expect.arrayContaining([pending.id, running.id]));
      expect(failed).not.toContain(done.id);
      expect(failed).not.toContain(fresh.id);
      expect(await store().getClustering(running.id)).toMatchObject({ status: 'FAILED', error: 'the server stopped', progress: 0.5 });
      expect(await store().getJob(pending.id)).toMatchObject({ status: 'FAILED', error: 'the server stopped' });
      expect(await store().getClustering(done.id)).toMatchObject({ status: 'SUCCEEDED', error: null });
      expect(await store().getClustering(fresh.id)).toMatchObject({ status: 'PENDING' });
    });
  });
}
