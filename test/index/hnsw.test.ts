import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BruteForceIndex } from '../../src/index/brute-force.js';
import { type HnswIndex, openHnswIndex } from '../../src/index/hnsw.js';
import { clusteredVectors } from './clustered.js';
import { items, keysOf, params, recall, tempDir } from './helpers.js';

const N = 5000;
const vectors = clusteredVectors({ n: N + 100, dims: 512, clusters: 200, noise: 1, seed: 11 });
const base = vectors.slice(0, N);
const queries = vectors.slice(N);

describe('hnsw index', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let big: HnswIndex;
  let exact: BruteForceIndex;
  let seq = 0;
  const open = (over: { initialCapacity?: number } = {}) => openHnswIndex({ dir: tmp.dir, name: `t${++seq}`, params: params(), ...over });

  beforeAll(async () => {
    tmp = await tempDir();
    big = await open();
    await big.upsert(items(base));
    exact = new BruteForceIndex(params());
    await exact.upsert(items(base));
  });
  afterAll(async () => {
    await big.close();
    await tmp.cleanup();
  });

  it('finds more than 95% of the true 10 nearest neighbours on clustered data', async () => {
    const found = await big.search(queries, 10);
    const truth = await exact.search(queries, 10);
    expect(recall(found, truth)).toBeGreaterThan(0.95);
    // distances are the cosine distance 1 - cos, the same as the exact index's
    expect(found[0]![0]!.distance).toBeCloseTo(truth[0]![0]!.distance, 4);
  });

  it('caps k at the live count', async () => {
    const index = await open();
    await index.upsert(items(base.slice(0, 5)));
    expect((await index.search(queries.slice(0, 2), 50)).map((r) => r.length)).toEqual([5, 5]);
    await index.remove([0, 1]);
    expect((await index.search(queries.slice(0, 1), 50))[0]).toHaveLength(3);
    expect(await index.search(queries.slice(0, 1), 0)).toEqual([[]]);
    await index.close();
  });

  it('replaces the vector of a key on upsert', async () => {
    const index = await open();
    await index.upsert([{ key: 7, vector: base[0]! }, { key: 8, vector: base[1]! }]);
    await index.upsert([{ key: 7, vector: base[2]! }]);
    expect(index.size).toBe(2);
    const [hit] = (await index.search([base[2]!], 1))[0]!;
    expect(hit!.key).toBe(7);
    expect(hit!.distance).toBeCloseTo(0, 5);
    expect((await index.search([base[0]!], 2))[0]!.map((h) => h.key).sort()).toEqual([7, 8]);
    await index.close();
  });

  it('hides a removed key and counts it as a tombstone', async () => {
    const index = await open();
    await index.upsert(items(base.slice(0, 50)));
    await index.remove([3, 999]);
    expect(index.size).toBe(49);
    expect(index.deletedCount).toBe(1);
    const rows = await index.search(base.slice(0, 10), 49);
    expect(rows.flat().some((h) => h.key === 3)).toBe(false);
    await index.close();
  });

  it('reuses tombstoned slots: new keys take free slots and a returning key gets its own back', async () => {
    const index = await open({ initialCapacity: 64 });
    await index.upsert(items(base.slice(0, 64)));
    await index.remove([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([index.size, index.deletedCount]).toEqual([54, 10]);
    await index.upsert(items(base.slice(100, 109), 100));
    expect([index.size, index.deletedCount, index.capacity]).toEqual([63, 1, 64]);
    await index.upsert([{ key: 5, vector: base[5]! }]);
    expect([index.size, index.deletedCount, index.capacity]).toEqual([64, 0, 64]);
    // every key appears once: no duplicate slots for a revived key
    const row = (await index.search([base[5]!], 64))[0]!;
    expect(new Set(row.map((h) => h.key)).size).toBe(64);
    expect(row[0]!.key).toBe(5);
    await index.close();
  });

  it('grows past its initial capacity by doubling', async () => {
    const index = await open({ initialCapacity: 16 });
    await index.upsert(items(base.slice(0, 100)));
    expect([index.size, index.capacity]).toEqual([100, 128]);
    const rows = await index.search(base.slice(0, 100), 1);
    expect(rows.map((r) => r[0]!.key)).toEqual(base.slice(0, 100).map((_, i) => i));
    await index.close();
  });

  it('compacts into a fresh index when tombstones pass 20% of the used slots', async () => {
    const index = await open();
    await index.upsert(items(base.slice(0, 100)));
    await index.remove(Array.from({ length: 20 }, (_, i) => i));
    expect([index.deletedCount, index.rebuilds]).toEqual([20, 0]);
    await index.remove([20]);
    await vi.waitFor(() => expect(index.rebuilds).toBe(1));
    expect([index.size, index.deletedCount]).toEqual([79, 0]);
    const rows = await index.search(base.slice(0, 30), 1);
    expect(rows.slice(21).map((r) => r[0]!.key)).toEqual(Array.from({ length: 9 }, (_, i) => 21 + i));
    expect(rows.flat().every((h) => h.key > 20)).toBe(true);
    await index.close();
  });

  it('keeps serving searches and taking writes while it compacts', async () => {
    const index = await open();
    await index.upsert(items(base.slice(0, 3000)));
    await index.remove(Array.from({ length: 700 }, (_, i) => i));
    expect(index.rebuilds).toBe(0);
    // during the copy: searches answer from the old graph, writes reach both graphs
    expect((await index.search([base[2000]!], 1))[0]![0]!.key).toBe(2000);
    await index.upsert([{ key: 2999, vector: base[0]! }, { key: 5000, vector: base[1]! }, { key: 10, vector: base[10]! }]);
    await index.remove([2998, 11]);
    expect(index.rebuilds).toBe(0);
    await vi.waitFor(() => expect(index.rebuilds).toBe(1), { timeout: 30_000 });
    expect(index.size).toBe(2300 + 2 - 1);
    const probe = [base[0]!, base[1]!, base[10]!, base[2998]!, base[1500]!];
    const rows = await index.search(probe, 2);
    expect(rows.map((r) => r[0]!.key)).toEqual([2999, 5000, 10, expect.any(Number), 1500]);
    expect(rows.flat().some((h) => h.key === 2998 || h.key === 11 || h.key === 0)).toBe(false);
    await index.close();
  });

  it('returns only allowed keys, and still k of them when at least k are allowed', async () => {
    // 600 points of other clusters than the query's: far away, so the in-graph filter must do the work
    const allow = Int32Array.from({ length: 600 }, (_, i) => 1 + (i % 24) + 200 * Math.floor(i / 24));
    const found = await big.search(queries.slice(0, 20), 10, { allow });
    const truth = await exact.search(queries.slice(0, 20), 10, { allow });
    const allowed = new Set(allow);
    expect(found.every((row) => row.length === 10 && row.every((h) => allowed.has(h.key)))).toBe(true);
    expect(recall(found, truth)).toBeGreaterThan(0.95);
  });

  it('searches a small allowed set exactly, ignoring unknown and duplicate keys', async () => {
    const allow = Int32Array.from({ length: 40 }, (_, i) => 1 + 200 * i);
    const rows = await big.search(queries.slice(0, 3), 10, { allow: Int32Array.from([...allow, ...allow, 123456, -5]) });
    expect(rows).toHaveLength(3);
    const truth = await exact.search(queries.slice(0, 3), 10, { allow });
    expect(keysOf(rows)).toEqual(keysOf(truth));
    rows[0]!.forEach((h, j) => expect(h.distance).toBeCloseTo(truth[0]![j]!.distance, 5));
    const few = Int32Array.from([5, 17, 123456]);
    expect((await big.search([queries[0]!], 10, { allow: few }))[0]!.map((h) => h.key).sort()).toEqual([17, 5]);
    expect(await big.search([queries[0]!], 10, { allow: new Int32Array(0) })).toEqual([[]]);
  });

  it('answers concurrent callers like sequential ones', async () => {
    const sequential = [];
    for (const q of queries.slice(0, 32)) sequential.push((await big.search([q], 5))[0]);
    const concurrent = await Promise.all(queries.slice(0, 32).map(async (q) => (await big.search([q], 5))[0]));
    expect(concurrent).toEqual(sequential);
  });

  it('rejects a query vector of the wrong length or with NaN with BAD_USER_INPUT', async () => {
    await expect(big.search([new Float32Array(3)], 1)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'query vector 0 has 3 dimensions (expected 512)',
    });
    const nan = new Float32Array(512).fill(NaN);
    await expect(big.search([queries[0]!, nan], 1)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: 'query vector 1 has a non-finite component 0' });
  });

  it('refuses a chunk holding a non-finite vector without applying any of it', async () => {
    const index = await open();
    const bad = Float32Array.from(base[1]!);
    bad[7] = Infinity;
    await expect(index.upsert([{ key: 1, vector: base[0]! }, { key: 2, vector: bad }])).rejects.toThrow('vector of key 2 has a non-finite component 7');
    expect(index.size).toBe(0);
    await index.upsert([{ key: 1, vector: base[0]! }]);
    expect(index.size).toBe(1);
    await index.close();
  });
});
