/**
 * SearchService on the real SQLite store, the real HNSW index and the real USE-lite, wired by
 * createServices, over 24 short reviews in four topics: ranking by text, vector and document,
 * filters (the exact top-k of the matching documents), minScore, limit, keyword and hybrid modes,
 * writes and deletes seen by the next search, the batch path equal to single searches, and the
 * codes of bad requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleRegistry } from '../../src/modules/types.js';
import type { Hit, SearchRequest } from '../../src/services/search.js';
import type { Services } from '../../src/services/services.js';
import type { CollectionRow } from '../../src/store/types.js';
import { corpus, failure, loadModules, openServices, tempDataDir, TOPICS } from './support.js';

let modules: ModuleRegistry;
let services: Services;
let reviews: CollectionRow;
const data = tempDataDir('search');
const docs = corpus();
const meta = new Map(docs.map((d) => [d.id, d.metadata]));

const search = (req: SearchRequest, c: CollectionRow = reviews) => services.search.search(c, req);
const ids = (hits: Hit[]) => hits.map((h) => h.document.id);
/** Every document, best first: the full ranking a filtered or cut search must agree with. */
const ranking = (req: SearchRequest) => search({ ...req, limit: 100 });

beforeAll(async () => {
  modules = await loadModules();
  services = await openServices(data.dir, modules);
  reviews = await services.collections.create({ name: 'reviews' });
  const report = await services.documents.upsert(reviews, docs);
  expect(report.upserted).toBe(docs.length);
});

afterAll(async () => {
  await services?.close();
  await modules?.close();
  data.remove();
});

describe('search service', () => {
  it('finds each stored text as its own top hit, at score 1 and distance 0', async () => {
    for (const d of docs.filter((_, i) => i % 3 === 0)) {
      const [top] = await search({ text: d.text, limit: 3 });
      expect(top!.document.id).toBe(d.id);
      expect(top!.score).toBeCloseTo(1, 4);
      expect(top!.distance).toBeCloseTo(0, 4);
    }
  });

  it('ranks documents of the topic asked about first', async () => {
    const cases: [string, keyof typeof TOPICS][] = [
      ['my phone will not hold a charge anymore', 'battery'],
      ['pots, pans and knives for cooking dinner', 'kitchen'],
      ['a hotel near the airport for one night', 'travel'],
    ];
    for (const [text, topic] of cases) {
      const hits = await search({ text, limit: 3 });
      expect(hits.map((h) => meta.get(h.document.id)!.topic), text).toEqual([topic, topic, topic]);
    }
  });

  it('orders hits by score, with cosine scores and distance = 1 - score', async () => {
    const hits = await ranking({ text: 'the blender broke after a week' });
    expect(hits).toHaveLength(docs.length);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    for (const h of hits) {
      expect(h.distance).toBeCloseTo(1 - h.score, 6);
      expect(h.score).toBeLessThanOrEqual(1 + 1e-6);
    }
  });

  it('returns `limit` hits (10 by default, capped at the live documents), the head of the full ranking', async () => {
    const all = ids(await ranking({ text: 'reading before bed' }));
    expect(ids(await search({ text: 'reading before bed' }))).toEqual(all.slice(0, 10));
    expect(ids(await search({ text: 'reading before bed', limit: 3 }))).toEqual(all.slice(0, 3));
    expect(all).toHaveLength(24);
  });

  it('searches by a stored document as by its vector', async () => {
    const byDocument = await search({ documentId: 'travel-3', limit: 5 });
    expect(byDocument[0]!.document.id).toBe('travel-3');
    expect(byDocument[0]!.score).toBeCloseTo(1, 5);
    const [doc] = await services.documents.getByIds(reviews, ['travel-3']);
    const [vector] = await services.store.getVectorsByKeys(reviews.key, reviews.module.sha256, [doc!.key]);
    expect(ids(await search({ vector: Array.from(vector!), limit: 5 }))).toEqual(ids(byDocument));
  });

  it('applies a filter: every hit matches, and the hits are the best matching documents of the full ranking', async () => {
    const text = 'good value for the money';
    const full = await ranking({ text });
    const filters: [unknown, (m: { topic: string; stars: number; n: number }) => boolean][] = [
      [{ topic: 'travel' }, (m) => m.topic === 'travel'],
      [{ stars: { gte: 4 } }, (m) => m.stars >= 4],
      [{ or: [{ topic: 'books' }, { n: { lt: 3 } }] }, (m) => m.topic === 'books' || m.n < 3],
      [{ topic: { in: ['kitchen', 'battery'] }, stars: { ne: 1 } }, (m) => ['kitchen', 'battery'].includes(m.topic) && m.stars !== 1],
    ];
    for (const [filter, keep] of filters) {
      const expected = ids(full).filter((id) => keep(meta.get(id)!)).slice(0, 5);
      expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(1);
      const hits = await search({ text, filter, limit: 5 });
      expect(ids(hits), JSON.stringify(filter)).toEqual(expected);
      for (const h of hits) expect(h.score).toBeCloseTo(full.find((f) => f.document.id === h.document.id)!.score, 5);
    }
    expect(await search({ text, filter: { topic: 'gardening' } })).toEqual([]);
  });

  it('drops hits below minScore and keeps the rest in order', async () => {
    const text = 'the battery of my laptop';
    const top = await search({ text, limit: 10 });
    const minScore = top[4]!.score;
    const kept = await search({ text, limit: 10, minScore });
    expect(kept.length).toBeGreaterThanOrEqual(5);
    expect(kept.length).toBeLessThan(10);
    for (const h of kept) expect(h.score).toBeGreaterThanOrEqual(minScore);
    expect(ids(kept)).toEqual(ids(top.filter((h) => h.score >= minScore)));
    expect(await search({ text, minScore: 1.01 })).toEqual([]);
  });

  it('finds documents by their words in KEYWORD mode, and only those', async () => {
    const hits = await search({ text: 'dragons wizards', mode: 'KEYWORD' });
    expect(ids(hits)).toEqual(['books-2']);
    const battery = await search({ text: 'battery', mode: 'KEYWORD', limit: 20 });
    expect(ids(battery).sort()).toEqual(docs.filter((d) => /battery/i.test(d.text)).map((d) => d.id).sort());
    for (let i = 1; i < battery.length; i++) expect(battery[i - 1]!.score).toBeGreaterThanOrEqual(battery[i]!.score);
    expect(ids(await search({ text: 'battery', mode: 'KEYWORD', filter: { stars: { gte: 3 } }, limit: 20 })).sort()).toEqual(
      docs.filter((d) => /battery/i.test(d.text) && d.metadata.stars >= 3).map((d) => d.id).sort(),
    );
    expect(await search({ text: 'zeppelin', mode: 'KEYWORD' })).toEqual([]);
  });

  it('fuses vector and keyword rankings in HYBRID mode, alpha weighting the vector side', async () => {
    const text = 'phone battery charge';
    const vector = ids(await search({ text, limit: 5 }));
    const keyword = ids(await search({ text, mode: 'KEYWORD', limit: 5 }));
    for (const fusion of ['RELATIVE_SCORE', 'RRF'] as const) {
      expect(ids(await search({ text, mode: 'HYBRID', fusion, alpha: 1, limit: 5 })), fusion).toEqual(vector);
      expect(ids(await search({ text, mode: 'HYBRID', fusion, alpha: 0, limit: keyword.length })), fusion).toEqual(keyword);
      const mixed = await search({ text, mode: 'HYBRID', fusion, limit: 5 });
      expect(mixed).toHaveLength(5);
      for (let i = 1; i < mixed.length; i++) expect(mixed[i - 1]!.score).toBeGreaterThanOrEqual(mixed[i]!.score);
    }
    // a document on top of both rankings stays on top of the fusion
    expect(ids(await search({ text: 'spare battery pack phone trip', mode: 'HYBRID', limit: 1 }))).toEqual(['battery-4']);
  });

  it('answers a batch as it answers each search alone', async () => {
    const reqs: SearchRequest[] = [
      { text: 'a quiet book of poems', limit: 4 },
      { documentId: 'kitchen-4', limit: 3 },
      { text: 'cheap places to sleep', filter: { topic: 'travel' }, limit: 3 },
      { text: 'espresso grinder', mode: 'KEYWORD' },
      { text: 'flight delayed', mode: 'HYBRID', limit: 4 },
    ];
    const batch = await services.search.searchMany(reviews, reqs);
    const alone = await Promise.all(reqs.map((r) => search(r)));
    expect(batch.map(ids)).toEqual(alone.map(ids));
    batch.forEach((hits, q) => hits.forEach((h, i) => expect(h.score).toBeCloseTo(alone[q]![i]!.score, 5)));
  });

  it('scores an l2 collection as 1 / (1 + squared distance)', async () => {
    const l2 = await services.collections.create({ name: 'euclid', metric: 'l2' });
    await services.documents.upsert(l2, docs.slice(6, 12));
    const hits = await search({ text: docs[7]!.text, limit: 6 }, l2);
    expect(hits[0]!.document.id).toBe(docs[7]!.id);
    expect(hits[0]!.distance).toBeCloseTo(0, 4);
    for (const h of hits) expect(h.score).toBeCloseTo(1 / (1 + h.distance), 6);
    expect(hits.at(-1)!.distance).toBeGreaterThan(0.1);
  });

  it('refuses bad requests with BAD_USER_INPUT and a message that says what to change', async () => {
    const refused = async (req: SearchRequest) => failure(search(req));
    const bad = (message: string) => ({ code: 'BAD_USER_INPUT', message });
    const one = bad('search takes exactly one of text, vector or documentId');
    expect(await refused({})).toEqual(one);
    expect(await refused({ text: 'x', documentId: 'battery-0' })).toEqual(one);
    expect(await refused({ documentId: 'battery-0', mode: 'KEYWORD' })).toEqual(bad('KEYWORD search needs text'));
    expect(await refused({ vector: new Array(512).fill(0.1), mode: 'HYBRID' })).toEqual(bad('HYBRID search needs text'));
    expect(await refused({ text: '  ' })).toEqual(bad('text must not be empty'));
    for (const limit of [0, 101, 2.5]) expect(await refused({ text: 'x', limit })).toEqual(bad(`limit must be an integer from 1 to 100, got ${limit}`));
    expect(await refused({ text: 'x', ef: 0 })).toEqual(bad('ef must be an integer from 1 to 10000, got 0'));
    expect(await refused({ text: 'x', alpha: 1.5, mode: 'HYBRID' })).toEqual(bad('alpha must be between 0 and 1, got 1.5'));
    expect(await refused({ text: 'x', minScore: Number.NaN })).toEqual(bad('minScore must be a finite number'));
    expect(await refused({ vector: [0.1, 0.2, 0.3] })).toEqual(
      bad('vector has 3 dimensions; collection "reviews" holds 512-d vectors of use-lite@1'),
    );
    expect(await refused({ vector: [...new Array(511).fill(0.1), Number.POSITIVE_INFINITY] })).toEqual(bad('vector must hold finite numbers only'));
    expect(await refused({ documentId: 'nope' })).toEqual(bad('document "nope" does not exist in collection "reviews"'));
    expect(await refused({ text: 'x', filter: { stars: { like: 3 } } })).toEqual(
      bad('filter.stars: unknown operator "like" (use eq, ne, gt, gte, lt, lte or in)'),
    );
  });

  it('finds a document as soon as its upsert returns, by its new text after an edit', async () => {
    const c = await services.collections.create({ name: 'live' });
    await services.documents.upsert(c, docs.slice(0, 12));
    await services.documents.upsert(c, [{ id: 'new', text: 'The umbrella turned inside out in the storm.' }]);
    expect(ids(await search({ text: 'my umbrella broke in the wind', limit: 1 }, c))).toEqual(['new']);
    await services.documents.upsert(c, [{ id: 'new', text: 'The garden hose cracked in the frost.' }]);
    expect(ids(await search({ text: 'The garden hose cracked in the frost.', limit: 1 }, c))).toEqual(['new']);
    const umbrella = await search({ text: 'The umbrella turned inside out in the storm.', limit: 1 }, c);
    expect(umbrella[0]!.score).toBeLessThan(0.9);
  });

  it('never returns a deleted document, by text, vector, filter or keyword', async () => {
    const c = await services.collections.create({ name: 'deletions' });
    await services.documents.upsert(c, docs);
    const victim = docs.find((d) => d.id === 'kitchen-2')!;
    expect(ids(await search({ text: victim.text, limit: 1 }, c))).toEqual(['kitchen-2']);
    expect(await services.documents.delete(c, ['kitchen-2'])).toBe(1);
    const requests: SearchRequest[] = [
      { text: victim.text, limit: 100 },
      { text: victim.text, filter: { topic: 'kitchen' }, limit: 100 },
      { text: 'nonstick frying pan coating', mode: 'KEYWORD', limit: 100 },
      { text: victim.text, mode: 'HYBRID', limit: 100 },
    ];
    for (const req of requests) {
      const hits = await search(req, c);
      expect(ids(hits), JSON.stringify(req)).not.toContain('kitchen-2');
    }
    expect(await search({ text: victim.text, limit: 100 }, c)).toHaveLength(docs.length - 1);
    expect(await failure(search({ documentId: 'kitchen-2' }, c))).toEqual({
      code: 'BAD_USER_INPUT', message: 'document "kitchen-2" does not exist in collection "deletions"',
    });
  });
});
