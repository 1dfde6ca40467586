import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAmazonReviews } from '../../bench/datasets.js';
import { describeIfPresent, evalDataMissing } from '../support/requires.js';
import { codes, gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

const reviews = loadAmazonReviews();
let server: ServerProcess;
// 60 real reviews, 15 per product type, first sentence only to keep embedding cheap.
const docs = (reviews ?? [])
  .filter((_, i) => i % 100 === 0)
  .slice(0, 60)
  .map((r, i) => ({ id: `r${i}`, text: r.text.split(/(?<=[.!?])\s/)[0]!.slice(0, 300), metadata: { product: r.productType, stars: r.rating, bucket: i % 10 } }));

const SEARCH = `query($c: String!, $text: String, $vector: [Float!], $documentId: ID, $filter: JSON, $limit: Int, $mode: SearchMode, $minScore: Float, $fusion: FusionMethod, $alpha: Float) {
  search(collection: $c, text: $text, vector: $vector, documentId: $documentId, filter: $filter, limit: $limit, mode: $mode, minScore: $minScore, fusion: $fusion, alpha: $alpha) {
    score distance document { id text metadata }
  }
}`;

describeIfPresent(evalDataMissing('amazon_multidomain', reviews), 'similarity search over HTTP', () => {
  beforeAll(async () => {
    server = await startServerProcess();
    await gql(server.url, `mutation { createCollection(name: "reviews") { name } }`);
    const r = await gql(server.url, `mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "reviews", documents: $d) { upserted errors { message } } }`, { d: docs });
    expect(r.data.upsertDocuments.upserted).toBe(docs.length);
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('finds every stored document as its own top hit by documentId', async () => {
    const results = await Promise.all(docs.map((d) => gql(server.url, SEARCH, { c: 'reviews', documentId: d.id, limit: 3 })));
    for (const [i, r] of results.entries()) {
      expect(r.errors).toBeUndefined();
      expect(r.data.search[0].document.id).toBe(docs[i]!.id);
      expect(r.data.search[0].score).toBeCloseTo(1, 4);
      expect(r.data.search[0].distance).toBeCloseTo(0, 4);
    }
  });

  it('finds a stored text first when searching by that text', async () => {
    for (const d of docs.slice(0, 10)) {
      const r = await gql(server.url, SEARCH, { c: 'reviews', text: d.text, limit: 5 });
      expect(r.data.search[0].document.id).toBe(d.id);
    }
  });

  it('ranks hits by score, scores are cosines and distances 1 - score', async () => {
    const r = await gql(server.url, SEARCH, { c: 'reviews', text: 'the kitchen knife is sharp and cuts well', limit: 10 });
    const hits = r.data.search as { score: number; distance: number }[];
    expect(hits).toHaveLength(10);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    for (const h of hits) expect(h.distance).toBeCloseTo(1 - h.score, 5);
  });

  it('returns `limit` hits, all matching, under a filter', async () => {
    for (const filter of [{ bucket: 3 }, { product: 'books' }, { stars: { gte: 4 } }, { or: [{ bucket: 1 }, { product: 'dvd' }] }]) {
      const r = await gql(server.url, SEARCH, { c: 'reviews', text: 'great value for the money', filter, limit: 5 });
      const hits = r.data.search as { document: { metadata: Record<string, unknown> } }[];
      const matching = docs.filter((d) =>
        'bucket' in filter && typeof filter.bucket === 'number' ? d.metadata.bucket === filter.bucket
        : 'product' in filter ? d.metadata.product === filter.product
        : 'stars' in filter ? d.metadata.stars >= 4
        : d.metadata.bucket === 1 || d.metadata.product === 'dvd',
      ).length;
      expect(hits).toHaveLength(Math.min(5, matching));
    }
  });

  it('applies minScore and searches by a raw vector', async () => {
    const self = await gql(server.url, `query { documentsById(collection: "reviews", ids: ["r0"]) { id } }`);
    expect(self.data.documentsById[0].id).toBe('r0');
    const high = await gql(server.url, SEARCH, { c: 'reviews', documentId: 'r0', minScore: 0.999, limit: 10 });
    expect(high.data.search.map((h: { document: { id: string } }) => h.document.id)).toEqual(['r0']);
    const vector = Array.from({ length: 512 }, (_, i) => (i === 7 ? 1 : 0));
    const byVector = await gql(server.url, SEARCH, { c: 'reviews', vector, limit: 3 });
    expect(byVector.data.search).toHaveLength(3);
  });

  it('finds documents by keyword and fuses both rankings in HYBRID mode', async () => {
    const target = docs[5]!;
    const words = target.text.split(/\s+/).filter((w) => w.length > 5).slice(0, 3).join(' ');
    const kw = await gql(server.url, SEARCH, { c: 'reviews', text: words, mode: 'KEYWORD', limit: 5 });
    expect(kw.errors).toBeUndefined();
    expect(kw.data.search.map((h: { document: { id: string } }) => h.document.id)).toContain(target.id);
    const hybrid = await gql(server.url, SEARCH, { c: 'reviews', text: target.text, mode: 'HYBRID', limit: 5 });
    expect(hybrid.data.search[0].document.id).toBe(target.id);
    const rrf = await gql(server.url, SEARCH, { c: 'reviews', text: target.text, mode: 'HYBRID', fusion: 'RRF', limit: 5 });
    expect(rrf.data.search[0].document.id).toBe(target.id);
    // alpha 0 is the keyword ranking alone, 1 the vector ranking alone (same order, fused scores).
    const ids = (r: { data?: { search: { document: { id: string } }[] } }) => r.data!.search.map((h) => h.document.id);
    const kwOnly = await gql(server.url, SEARCH, { c: 'reviews', text: words, mode: 'KEYWORD', limit: 5 });
    const vecOnly = await gql(server.url, SEARCH, { c: 'reviews', text: words, mode: 'VECTOR', limit: 5 });
    expect(ids(await gql(server.url, SEARCH, { c: 'reviews', text: words, mode: 'HYBRID', alpha: 0, limit: 5 })).slice(0, kwOnly.data.search.length)).toEqual(ids(kwOnly));
    expect(ids(await gql(server.url, SEARCH, { c: 'reviews', text: words, mode: 'HYBRID', alpha: 1, limit: 5 }))).toEqual(ids(vecOnly));
    expect(codes(await gql(server.url, SEARCH, { c: 'reviews', text: words, mode: 'HYBRID', alpha: 2 }))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses ambiguous or malformed searches with BAD_USER_INPUT', async () => {
    const bad = [
      { c: 'reviews' },
      { c: 'reviews', text: 'a', documentId: 'r1' },
      { c: 'reviews', vector: [1, 2, 3] },
      { c: 'reviews', text: 'x', limit: 0 },
      { c: 'reviews', text: 'x', limit: 100000 },
      { c: 'reviews', documentId: 'missing' },
      { c: 'reviews', vector: [1, 2, 3], mode: 'KEYWORD' },
      { c: 'reviews', text: 'x', filter: { stars: { near: 3 } } },
    ];
    for (const v of bad) expect(codes(await gql(server.url, SEARCH, v))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(server.url, SEARCH, { c: 'nope', text: 'x' }))).toEqual(['NOT_FOUND']);
  });

  it('keeps indexedCount equal to documentCount through deletes and replacements', async () => {
    await gql(server.url, `mutation { deleteDocuments(collection: "reviews", ids: ["r1", "r2"]) }`);
    await gql(server.url, `mutation { upsertDocuments(collection: "reviews", documents: [{id: "r3", text: "Replaced text about a toaster."}]) { upserted } }`);
    const c = await gql(server.url, `query { collection(name: "reviews") { documentCount indexedCount deletedCount } }`);
    expect(c.data.collection).toMatchObject({ documentCount: docs.length - 2, indexedCount: docs.length - 2 });
    const r = await gql(server.url, SEARCH, { c: 'reviews', documentId: 'r4', limit: 100 });
    const ids = r.data.search.map((h: { document: { id: string } }) => h.document.id);
    expect(ids).not.toContain('r1');
    expect(ids).not.toContain('r2');
  });
});
