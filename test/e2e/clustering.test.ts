import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAmazonReviews } from '../../bench/datasets.js';
import { describeIfPresent, evalDataMissing } from '../support/requires.js';
import { codes, gql, removeDir, startServerProcess, type GqlResponse, type ServerProcess } from '../support/server.js';

const reviews = loadAmazonReviews();
const PRODUCTS = ['books', 'dvd', 'electronics', 'kitchen'];
const PER_PRODUCT = 20;
// 80 real reviews, 20 per product (every 100th of its 2,000: positive and negative alike), the
// first ~200 characters of each (cut at a word) to keep embedding cheap.
const docs = PRODUCTS.flatMap((product) =>
  (reviews ?? [])
    .filter((r) => r.domain === product)
    .filter((_, i) => i % 100 === 0)
    .slice(0, PER_PRODUCT)
    .map((r, i) => ({ id: `${product}-${i}`, text: r.text.slice(0, 200).replace(/\s+\S*$/, ''), metadata: { product, stars: r.rating } })),
);
const productOf = new Map(docs.map((d) => [d.id, d.metadata.product]));

const CLUSTER = `mutation($c: String!, $k: Int, $filter: JSON, $seed: Int, $evaluateAgainst: String, $restarts: Int) {
  clusterCollection(collection: $c, k: $k, filter: $filter, seed: $seed, evaluateAgainst: $evaluateAgainst, restarts: $restarts) { id status progress k collection }
}`;
const RESULT = `query($id: ID!) {
  clustering(id: $id) {
    id collection k kRequested kChosenBy status progress error filter seed restarts evaluateAgainst documentCount createdAt
    quality { silhouette silhouetteSampleSize inertia nmi ari vMeasure homogeneity completeness evaluatedAgainst evaluatedCount missingLabelCount }
    clusters { id size label keywords representatives { score distance document { id } } }
  }
}`;
const MEMBERS = `query($id: ID!, $cluster: ID!, $first: Int, $after: String) {
  clustering(id: $id) { cluster(id: $cluster) { id size documents(first: $first, after: $after) { totalCount nodes { id metadata } pageInfo { hasNextPage endCursor } } } }
}`;

interface Clustering {
  id: string;
  k: number;
  kChosenBy: string;
  status: string;
  documentCount: number;
  filter: unknown;
  quality: Record<string, number | string | null>;
  clusters: { id: string; size: number; label: string; keywords: string[]; representatives: { score: number; distance: number; document: { id: string } }[] }[];
}

let server: ServerProcess;

/** Starts a clustering and polls it until it is finished; progress must never go backwards. */
async function cluster(vars: Record<string, unknown>): Promise<Clustering> {
  const started = await gql(server.url, CLUSTER, { c: 'reviews', ...vars });
  expect(started.errors).toBeUndefined();
  const { id, status } = started.data.clusterCollection;
  expect(['PENDING', 'RUNNING']).toContain(status);
  let last = 0;
  for (const until = Date.now() + 90_000; Date.now() < until; ) {
    const r = await gql(server.url, `query($id: ID!) { clustering(id: $id) { status progress error } job(id: $id) { status progress kind owner attempts leaseUntil } }`, { id });
    const { status: now, progress, error } = r.data.clustering;
    expect(progress).toBeGreaterThanOrEqual(last);
    last = progress;
    expect(r.data.job).toMatchObject({ kind: 'cluster', status: now });
    if (now === 'FAILED') throw new Error(`clustering failed: ${error}`);
    if (now === 'SUCCEEDED') {
      expect(r.data.job.progress).toBe(1);
      // claimed once by the server's runner: "<host>:<pid>:<random>", with a lease
      expect(r.data.job).toMatchObject({ attempts: 1, owner: expect.stringMatching(/^.+:\d+:[0-9a-f]{8}$/) as unknown });
      expect(Number.isNaN(Date.parse(r.data.job.leaseUntil))).toBe(false);
      const done = await gql(server.url, RESULT, { id });
      expect(done.errors).toBeUndefined();
      return done.data.clustering;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`clustering ${id} did not finish in 90 s`);
}

/** Every document id of one cluster, read page by page. */
async function members(id: string, clusterId: string, first = 7): Promise<{ ids: string[]; totals: number[]; pages: number }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const r: GqlResponse = await gql(server.url, MEMBERS, { id, cluster: clusterId, first, after });
    expect(r.errors).toBeUndefined();
    const page: { nodes: { id: string }[]; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string } } = r.data.clustering.cluster.documents;
    ids.push(...page.nodes.map((d) => d.id));
    totals.push(page.totalCount);
    pages++;
    if (!page.pageInfo.hasNextPage) return { ids, totals, pages };
    after = page.pageInfo.endCursor;
  }
}

/** cluster id -> sorted member ids. */
async function partition(c: Clustering): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const cl of c.clusters) out[cl.id] = (await members(c.id, cl.id, 100)).ids.sort();
  return out;
}

describeIfPresent(evalDataMissing('amazon_multidomain', reviews), 'clustering jobs over HTTP', () => {
  let main: Clustering;

  beforeAll(async () => {
    expect(docs).toHaveLength(PRODUCTS.length * PER_PRODUCT);
    server = await startServerProcess();
    await gql(server.url, `mutation { createCollection(name: "reviews") { name } }`);
    const r = await gql(server.url, `mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "reviews", documents: $d) { upserted } }`, { d: docs });
    expect(r.data.upsertDocuments.upserted).toBe(docs.length);
    main = await cluster({ k: 4, seed: 1, evaluateAgainst: 'product' });
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('groups 80 reviews into 4 labelled clusters whose sizes sum to 80', () => {
    expect(main).toMatchObject({ status: 'SUCCEEDED', k: 4, kRequested: 4, kChosenBy: 'requested', documentCount: 80, seed: 1, restarts: 4, collection: 'reviews', filter: null, evaluateAgainst: 'product' });
    expect(main.clusters.map((c) => c.id)).toEqual(['0', '1', '2', '3']);
    expect(main.clusters.reduce((s, c) => s + c.size, 0)).toBe(80);
    for (const c of main.clusters) {
      expect(c.size).toBeGreaterThan(0);
      expect(c.label.length).toBeGreaterThan(0);
      expect(c.keywords.length).toBeGreaterThan(0);
      expect(c.keywords.length).toBeLessThanOrEqual(10);
      expect(new Set(c.keywords).size).toBe(c.keywords.length);
    }
  });

  it('picks representatives nearest the centroid from their own cluster, best first', async () => {
    for (const c of main.clusters) {
      const { ids } = await members(main.id, c.id, 100);
      expect(c.representatives.length).toBeGreaterThan(0);
      expect(c.representatives.length).toBeLessThanOrEqual(5);
      for (const [i, r] of c.representatives.entries()) {
        expect(ids).toContain(r.document.id);
        expect(r.score).toBeGreaterThan(0);
        expect(r.score).toBeLessThanOrEqual(1 + 1e-6);
        expect(r.distance).toBeCloseTo(1 - r.score, 5);
        if (i > 0) expect(r.score).toBeLessThanOrEqual(c.representatives[i - 1]!.score);
      }
    }
  });

  it('pages through each cluster\'s documents, which together are the whole collection once', async () => {
    const seen: string[] = [];
    for (const c of main.clusters) {
      const page = await members(main.id, c.id, 7);
      expect(page.ids).toHaveLength(c.size);
      expect(page.totals.every((t) => t === c.size)).toBe(true);
      expect(page.pages).toBe(Math.max(1, Math.ceil(c.size / 7)));
      seen.push(...page.ids);
    }
    expect(seen.sort()).toEqual(docs.map((d) => d.id).sort());
    const one = await gql(server.url, `query($id: ID!) { clustering(id: $id) { cluster(id: "2") { id size } none: cluster(id: "9") { id } } }`, { id: main.id });
    expect(one.data.clustering).toEqual({ cluster: { id: '2', size: main.clusters[2]!.size }, none: null });
  });

  it('scores the clusters: silhouette in [-1, 1] and the product types recovered (NMI, ARI, V-measure)', () => {
    const q = main.quality as Record<string, number>;
    console.info(`[clustering e2e] 80 reviews, k=4, seed 1: ${JSON.stringify(q)}; labels ${JSON.stringify(main.clusters.map((c) => c.label))}`);
    expect(q.silhouette).toBeGreaterThanOrEqual(-1);
    expect(q.silhouette).toBeLessThanOrEqual(1);
    expect(q).toMatchObject({ silhouetteSampleSize: 80, evaluatedAgainst: 'product', evaluatedCount: 80, missingLabelCount: 0 });
    expect(q.inertia).toBeGreaterThan(0);
    expect(q.nmi).toBeGreaterThan(NMI_FLOOR);
    expect(q.ari).toBeGreaterThan(0.3);
    for (const m of ['nmi', 'vMeasure', 'homogeneity', 'completeness'] as const) {
      expect(q[m]).toBeGreaterThan(0);
      expect(q[m]).toBeLessThanOrEqual(1);
    }
    expect(q.vMeasure).toBeCloseTo(q.nmi!, 6);
  });

  it('gives identical assignments for the same seed', async () => {
    const again = await cluster({ k: 4, seed: 1 });
    expect(again.id).not.toBe(main.id);
    expect(again.quality.nmi).toBeNull();
    expect(await partition(again)).toEqual(await partition(main));
    expect(again.clusters.map((c) => [c.size, c.label])).toEqual(main.clusters.map((c) => [c.size, c.label]));
  });

  it('clusters only the documents a filter matches', async () => {
    const filter = { product: { in: ['books', 'kitchen'] } };
    const c = await cluster({ k: 2, seed: 3, filter, evaluateAgainst: 'product' });
    expect(c).toMatchObject({ documentCount: 40, filter });
    const parts = await partition(c);
    const all = Object.values(parts).flat();
    expect(all).toHaveLength(40);
    expect(all.every((id) => ['books', 'kitchen'].includes(productOf.get(id)!))).toBe(true);
    expect(c.quality.evaluatedCount).toBe(40);
  });

  it('chooses k when it is omitted and says why', async () => {
    const c = await cluster({ seed: 2 });
    // n = 80: k is chosen from 2..floor(sqrt(80 / 2)) = 2..6
    expect(c.k).toBeGreaterThanOrEqual(2);
    expect(c.k).toBeLessThanOrEqual(6);
    expect(c.clusters).toHaveLength(c.k);
    expect(c.kChosenBy).toMatch(new RegExp(`^k=${c.k} had the highest silhouette -?[0-9.]+ of k=2\\.\\.6 on all 80 points$`));
    const r = await gql(server.url, `query($id: ID!) { clustering(id: $id) { kRequested } }`, { id: c.id });
    expect(r.data.clustering.kRequested).toBeNull();
  });

  it('reports no external metrics for a key no document has, and counts the documents left out', async () => {
    const c = await cluster({ k: 3, evaluateAgainst: 'brand' });
    expect(c.quality).toMatchObject({ evaluatedAgainst: 'brand', evaluatedCount: 0, missingLabelCount: 80, nmi: null, ari: null, vMeasure: null });
    expect(c.quality.silhouette).not.toBeNull();
  });

  it('lists a collection\'s clusterings and deletes one with its job', async () => {
    const list = async () => (await gql(server.url, `query { clusterings(collection: "reviews", first: 100) { totalCount nodes { id status } } }`)).data.clusterings;
    const before = await list();
    expect(before.nodes[0].id).toBe(main.id);
    expect(before.totalCount).toBe(before.nodes.length);
    const paged = await gql(server.url, `query { clusterings(collection: "reviews", first: 1) { nodes { id } pageInfo { hasNextPage endCursor } } }`);
    const next = await gql(server.url, `query($after: String) { clusterings(collection: "reviews", first: 1, after: $after) { nodes { id } } }`, { after: paged.data.clusterings.pageInfo.endCursor });
    expect(next.data.clusterings.nodes[0].id).toBe(before.nodes[1].id);

    const doomed = await cluster({ k: 2 });
    const del = `mutation($id: ID!) { deleteClustering(id: $id) }`;
    expect((await gql(server.url, del, { id: doomed.id })).data.deleteClustering).toBe(true);
    const gone = await gql(server.url, `query($id: ID!) { clustering(id: $id) { id } job(id: $id) { id } }`, { id: doomed.id });
    expect(gone.data).toEqual({ clustering: null, job: null });
    expect((await gql(server.url, del, { id: doomed.id })).data.deleteClustering).toBe(false);
    expect((await list()).totalCount).toBe(before.totalCount);
  });

  it('cancels a clustering deleted while it is queued or running', async () => {
    const started = await gql(server.url, CLUSTER, { c: 'reviews' });
    const { id } = started.data.clusterCollection;
    expect((await gql(server.url, `mutation($id: ID!) { deleteClustering(id: $id) }`, { id })).data.deleteClustering).toBe(true);
    const done = await cluster({ k: 2, seed: 5 });
    expect(done.status).toBe('SUCCEEDED');
    expect((await gql(server.url, `query($id: ID!) { clustering(id: $id) { id } }`, { id })).data.clustering).toBeNull();
  });

  it('runs a clustering cut short by a server stop again at the next start, to the result of an uninterrupted run', async () => {
    // k omitted (choosing k) and the most restarts: the longest job there is, still queued or
    // running when the stop arrives; the stop releases it and the next start takes it over
    const started = await gql(server.url, CLUSTER, { c: 'reviews', restarts: 100, seed: 3 });
    const { id } = started.data.clusterCollection;
    const before = await gql(server.url, `query($id: ID!) { job(id: $id) { owner } }`, { id });
    await server.stop();
    server = await startServerProcess({ dataDir: server.dataDir });
    let job: { status: string; owner: string; attempts: number } | undefined;
    for (const until = Date.now() + 60_000; Date.now() < until && job?.status !== 'SUCCEEDED'; await new Promise((r) => setTimeout(r, 100))) {
      job = (await gql(server.url, `query($id: ID!) { job(id: $id) { status owner attempts } }`, { id })).data.job;
      expect(job?.status).not.toBe('FAILED');
    }
    expect(job).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(job!.owner).not.toBe(before.data.job.owner);
    const resumed = (await gql(server.url, RESULT, { id })).data.clustering;
    const again = await cluster({ restarts: 100, seed: 3 });
    expect(resumed.clusters).toEqual(again.clusters);
    expect(resumed.quality).toEqual(again.quality);
  });

  it('refuses bad requests with BAD_USER_INPUT and precise messages, unknown names with NOT_FOUND', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ k: 1 }, /^k must be an integer from 2 to 1000, got 1$/],
      [{ k: 1001 }, /^k must be an integer from 2 to 1000, got 1001$/],
      [{ k: 81 }, /^collection "reviews" has 80 documents; k=81 needs at least 81$/],
      [{ k: 25, filter: { product: 'books' } }, /^the filter matches 20 documents of collection "reviews"; k=25 needs at least 25$/],
      [{ k: 2, filter: { product: 'toys' } }, /^the filter matches 0 documents of collection "reviews": nothing to cluster$/],
      [{ k: 2, filter: { stars: { near: 3 } } }, /unknown operator "near"/],
      [{ k: 2, seed: -1 }, /^seed must be a non-negative integer, got -1$/],
      [{ k: 2, restarts: 0 }, /^restarts must be an integer from 1 to 100, got 0$/],
      [{ k: 2, evaluateAgainst: 'not a key!' }, /is not a valid metadata key/],
    ];
    for (const [vars, message] of bad) {
      const r = await gql(server.url, CLUSTER, { c: 'reviews', ...vars });
      expect(codes(r), JSON.stringify(vars)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.message).toMatch(message);
    }
    expect(codes(await gql(server.url, CLUSTER, { c: 'nope', k: 2 }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(server.url, `query { clusterings(collection: "nope") { totalCount } }`))).toEqual(['NOT_FOUND']);
    expect((await gql(server.url, `query { clustering(id: "nope") { id } }`)).data.clustering).toBeNull();
  });
});

/**
 * NMI the real model must reach on this sample: with k=4 it gets 0.56-0.78 over seeds 0-19
 * (0.69 with seed 1), chance is near 0; the floor leaves room for k-means kernel changes.
 */
const NMI_FLOOR = 0.45;
