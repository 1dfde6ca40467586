/**
 * The cluster map and review through the real server over HTTP, on 40 real Amazon reviews (10 per
 * product) embedded by the real module: a finished clustering serves every document's place on
 * its 2D map; a reviewer renames, merges and marks clusters as noise; the reviewed labels are
 * written into the documents' metadata and a classifier head is trained on them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAmazonReviews } from '../../bench/datasets.js';
import { describeIfPresent, evalDataMissing } from '../support/requires.js';
import { codes, gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

const reviews = loadAmazonReviews();
const PRODUCTS = ['books', 'dvd', 'electronics', 'kitchen'];
// every 200th review of each product, its first ~160 characters (cut at a word): cheap to embed
const docs = PRODUCTS.flatMap((product) =>
  (reviews ?? []).filter((r) => r.domain === product).filter((_, i) => i % 200 === 0).slice(0, 10)
    .map((r, i) => ({ id: `${product}-${i}`, text: r.text.slice(0, 160).replace(/\s+\S*$/, ''), metadata: { product } })),
);

const CLUSTERS = `query($id: ID!) { clustering(id: $id) { status clusters { id size label autoLabel reviewed noise mergedInto documents(first: 100) { totalCount nodes { id } } } } }`;
const POINTS = `query($id: ID!, $first: Int, $after: String) {
  clustering(id: $id) { projection { method sampleSize neighbors seed } points(first: $first, after: $after) { totalCount nodes { documentId x y cluster sampled } pageInfo { hasNextPage endCursor } } }
}`;
const RENAME = `mutation($id: ID!, $cluster: ID!, $label: String!) { renameCluster(clustering: $id, cluster: $cluster, label: $label) { id label autoLabel reviewed } }`;
const MERGE = `mutation($id: ID!, $into: ID!, $from: [ID!]!) { mergeClusters(clustering: $id, into: $into, from: $from) { id clusters { id size mergedInto } } }`;
const NOISE = `mutation($id: ID!, $cluster: ID!, $noise: Boolean) { markClusterNoise(clustering: $id, cluster: $cluster, noise: $noise) { id noise label } }`;
const APPLY = `mutation($id: ID!, $key: String!, $overwrite: Boolean) { applyClusterLabels(clustering: $id, key: $key, overwrite: $overwrite) { updated removed skipped key seq } }`;

interface Cluster { id: string; size: number; label: string; autoLabel: string; reviewed: boolean; noise: boolean; mergedInto: string | null; documents: { totalCount: number; nodes: { id: string }[] } }
interface Point { documentId: string; x: number; y: number; cluster: string; sampled: boolean }

let server: ServerProcess;
let id: string;

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await gql(server.url, query, variables);
  expect(r.errors).toBeUndefined();
  return r.data as T;
}

async function clusters(): Promise<Cluster[]> {
  return (await ok<{ clustering: { clusters: Cluster[] } }>(CLUSTERS, { id })).clustering.clusters;
}

async function allPoints(first: number): Promise<{ points: Point[]; totals: number[] }> {
  const points: Point[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (;;) {
    const r: any = await ok(POINTS, { id, first, after });
    points.push(...r.clustering.points.nodes);
    totals.push(r.clustering.points.totalCount);
    if (!r.clustering.points.pageInfo.hasNextPage) return { points, totals };
    after = r.clustering.points.pageInfo.endCursor;
  }
}

async function startClustering(): Promise<{ id: string; status: string; projection: unknown; points: { totalCount: number; nodes: unknown[] } }> {
  const r = await ok(`mutation { clusterCollection(collection: "reviews", k: 4, seed: 0) { id status projection { method } points { totalCount nodes { documentId } } } }`);
  return r.clusterCollection;
}

async function succeeded(clusteringId: string): Promise<void> {
  for (const until = Date.now() + 90_000; Date.now() < until; await new Promise((r) => setTimeout(r, 150))) {
    const r = await ok(`query($id: ID!) { clustering(id: $id) { status error } }`, { id: clusteringId });
    if (r.clustering.status === 'FAILED') throw new Error(`clustering failed: ${r.clustering.error}`);
    if (r.clustering.status === 'SUCCEEDED') return;
  }
  throw new Error('the clustering did not finish in 90 s');
}

describeIfPresent(evalDataMissing('amazon_multidomain', reviews), 'cluster map and review over HTTP', () => {
  beforeAll(async () => {
    server = await startServerProcess();
    await ok(`mutation { createCollection(name: "reviews") { name } }`);
    const r = await ok(`mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "reviews", documents: $d) { upserted } }`, { d: docs });
    expect(r.upsertDocuments.upserted).toBe(docs.length);
    const started = await startClustering();
    // nothing to show before it has SUCCEEDED
    expect(started).toMatchObject({ projection: null, points: { totalCount: 0, nodes: [] } });
    id = started.id;
    await succeeded(id);
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  describe('the map', () => {
    it('places every clustered document once, paged in document order, in its cluster', async () => {
      const r: any = await ok(POINTS, { id, first: 1 });
      expect(r.clustering.projection).toEqual({ method: 'umap', sampleSize: 40, neighbors: 15, seed: 0 });
      const { points, totals } = await allPoints(15);
      expect(totals).toEqual([40, 40, 40]);
      expect(points.map((p) => p.documentId)).toEqual(docs.map((d) => d.id));
      expect(points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.sampled)).toBe(true);
      const inCluster = new Map((await clusters()).flatMap((c) => c.documents.nodes.map((d) => [d.id, c.id] as const)));
      expect(points.map((p) => p.cluster)).toEqual(points.map((p) => inCluster.get(p.documentId)));
      // the map keeps the products apart: most of a review's 3 nearest on the map are of its product
      const product = (i: number) => docs[i]!.metadata.product;
      let same = 0;
      points.forEach((p, i) => {
        const near = points.map((q, j) => [(q.x - p.x) ** 2 + (q.y - p.y) ** 2, j] as const).filter(([, j]) => j !== i).sort((a, b) => a[0] - b[0]).slice(0, 3);
        same += near.filter(([, j]) => product(j) === product(i)).length / 3;
      });
      expect(same / points.length).toBeGreaterThan(0.6);
    });

    it('refuses a page above 10000 points', async () => {
      const r = await gql(server.url, POINTS, { id, first: 10_001 });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.message).toContain('10000');
    });
  });

  describe('review', () => {
    it('renames a cluster, keeping its automatic label, and goes back with an empty label', async () => {
      const before = (await clusters())[0]!;
      expect(before).toMatchObject({ reviewed: false, noise: false, mergedInto: null });
      expect(before.label).toBe(before.autoLabel);
      const renamed = (await ok(RENAME, { id, cluster: '0', label: '  Kitchen gear ' })).renameCluster;
      expect(renamed).toEqual({ id: '0', label: 'Kitchen gear', autoLabel: before.autoLabel, reviewed: true });
      expect((await clusters())[0]!.label).toBe('Kitchen gear');
      expect((await ok(RENAME, { id, cluster: '0', label: '' })).renameCluster).toEqual({ id: '0', label: before.autoLabel, autoLabel: before.autoLabel, reviewed: false });
      await ok(RENAME, { id, cluster: '0', label: 'first' });
    });

    it('refuses unknown clusterings and clusters, long labels and unfinished clusterings', async () => {
      const missing = await gql(server.url, RENAME, { id: 'no-such-clustering', cluster: '0', label: 'x' });
      expect(codes(missing)).toEqual(['NOT_FOUND']);
      const noCluster = await gql(server.url, RENAME, { id, cluster: '7', label: 'x' });
      expect(codes(noCluster)).toEqual(['NOT_FOUND']);
      expect(noCluster.errors![0]!.message).toBe(`clustering "${id}" has no cluster "7" (its ids are "0".."3")`);
      expect(codes(await gql(server.url, RENAME, { id, cluster: '1', label: 'x'.repeat(201) }))).toEqual(['BAD_USER_INPUT']);
      const running = await startClustering();
      const early = await gql(server.url, APPLY, { id: running.id, key: 'topic' });
      expect(codes(early)).toEqual(['BAD_USER_INPUT']);
      expect(early.errors![0]!.message).toMatch(/^clustering "[^"]+" is (PENDING|RUNNING); its clusters can be reviewed once it has SUCCEEDED$/);
      await succeeded(running.id);
    });

    it('merges clusters: the target covers their size, documents and points', async () => {
      const before = await clusters();
      const merged = (await ok(MERGE, { id, into: '0', from: ['1'] })).mergeClusters;
      expect(merged.clusters.map((c: Cluster) => c.mergedInto)).toEqual([null, '0', null, null]);
      const after = await clusters();
      expect(after[0]!.size).toBe(before[0]!.size + before[1]!.size);
      expect(after[0]!.documents.totalCount).toBe(before[0]!.size + before[1]!.size);
      expect(after[0]!.documents.nodes.map((d) => d.id).sort()).toEqual([...before[0]!.documents.nodes, ...before[1]!.documents.nodes].map((d) => d.id).sort());
      // the merged cluster keeps its own documents
      expect(after[1]).toMatchObject({ size: before[1]!.size, mergedInto: '0' });
      const { points } = await allPoints(1000);
      expect(points.filter((p) => p.cluster === '1')).toEqual([]);
      expect(points.filter((p) => p.cluster === '0')).toHaveLength(after[0]!.size);
      const intoMerged = await gql(server.url, MERGE, { id, into: '1', from: ['2'] });
      expect(codes(intoMerged)).toEqual(['BAD_USER_INPUT']);
      expect(intoMerged.errors![0]!.message).toBe('cluster "1" is merged into cluster "0"; merge into that one instead');
      expect(codes(await gql(server.url, MERGE, { id, into: '2', from: ['2'] }))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(server.url, MERGE, { id, into: '2', from: [] }))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(server.url, NOISE, { id, cluster: '1' }))).toEqual(['BAD_USER_INPUT']);
    });

    it('marks a cluster as noise and back', async () => {
      expect((await ok(NOISE, { id, cluster: '3' })).markClusterNoise).toMatchObject({ id: '3', noise: true });
      expect((await ok(NOISE, { id, cluster: '3', noise: false })).markClusterNoise).toMatchObject({ noise: false });
      await ok(NOISE, { id, cluster: '3' });
    });

    it('applies the reviewed labels to the documents, leaving noise out, and trains a head on them', async () => {
      const cs = await clusters();
      const labelOf = new Map(cs.filter((c) => !c.mergedInto && !c.noise).flatMap((c) => c.documents.nodes.map((d) => [d.id, c.label] as const)));
      const noise = cs[3]!.documents.totalCount;
      const applied = (await ok(APPLY, { id, key: 'topic' })).applyClusterLabels;
      expect(applied).toMatchObject({ updated: docs.length - noise, removed: 0, skipped: noise, key: 'topic' });
      const read = (await ok(`query($seq: Int) { documents(collection: "reviews", first: 100, afterSeq: $seq) { nodes { id metadata } } }`, { seq: applied.seq })).documents.nodes;
      for (const d of read) expect(d.metadata.topic).toBe(labelOf.get(d.id));
      expect(read.find((d: { metadata: Record<string, unknown> }) => d.metadata.topic === 'first')).toBeDefined();
      // again: nothing changes
      expect((await ok(APPLY, { id, key: 'topic' })).applyClusterLabels).toMatchObject({ updated: 0, removed: 0, skipped: docs.length });

      const head = (await ok(`mutation { trainClassifier(collection: "reviews", name: "topics", labelKey: "topic") { labels trainedOn validatedOn skipped metrics { refit n } } }`)).trainClassifier;
      expect(head.labels).toEqual([...new Set(labelOf.values())].sort());
      expect(head).toMatchObject({ trainedOn: docs.length - noise, skipped: noise, metrics: { refit: true } });
    });

    it('removes an applied label when its cluster becomes noise, unless told not to overwrite', async () => {
      await ok(NOISE, { id, cluster: '2' });
      const size2 = (await clusters())[2]!.documents.totalCount;
      const kept = (await ok(APPLY, { id, key: 'topic', overwrite: false })).applyClusterLabels;
      expect(kept).toMatchObject({ updated: 0, removed: 0, skipped: docs.length });
      const removed = (await ok(APPLY, { id, key: 'topic' })).applyClusterLabels;
      expect(removed).toMatchObject({ updated: 0, removed: size2 });
      const read = (await ok(`query($seq: Int) { documents(collection: "reviews", first: 100, afterSeq: $seq) { nodes { id metadata } } }`, { seq: removed.seq })).documents.nodes;
      expect(read.filter((d: { metadata: Record<string, unknown> }) => 'topic' in d.metadata)).toHaveLength(docs.length - size2 - (await clusters())[3]!.documents.totalCount);
      expect(codes(await gql(server.url, APPLY, { id, key: 'a.b' }))).toEqual(['BAD_USER_INPUT']);
    });
  });
});
