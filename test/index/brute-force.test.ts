import { describe, expect, it } from 'vitest';
import { BruteForceIndex, exactKnn } from '../../src/index/brute-force.js';
import type { IndexMetric } from '../../src/index/types.js';
import { gaussian, rng } from './clustered.js';
import { items, keysOf, params } from './helpers.js';

const dims = 24;
const normal = gaussian(rng(9));
const vecs = Array.from({ length: 300 }, () => Float32Array.from({ length: dims }, normal));

/** Every distance by the definition, sorted (distance, then key). */
function naive(data: Float32Array[], q: Float32Array, metric: IndexMetric, k: number) {
  const norm = (x: Float32Array) => Math.sqrt(x.reduce((s, a) => s + a * a, 0));
  const dist = (x: Float32Array) => {
    if (metric === 'l2') return x.reduce((s, a, j) => s + (a - q[j]!) ** 2, 0);
    const dot = x.reduce((s, a, j) => s + a * q[j]!, 0);
    return metric === 'ip' ? 1 - dot : 1 - dot / (norm(x) * norm(q));
  };
  return data.map((x, key) => ({ key, distance: dist(x) })).sort((a, b) => a.distance - b.distance || a.key - b.key).slice(0, k);
}

describe('brute-force index', () => {
  for (const metric of ['cosine', 'ip', 'l2'] as const) {
    it(`returns the exact neighbours closest first by hnswlib's ${metric} distance`, async () => {
      const index = new BruteForceIndex(params({ dims, metric }), 8);
      await index.upsert(items(vecs));
      const got = await index.search(vecs.slice(0, 5), 7);
      got.forEach((row, i) => {
        const want = naive(vecs, vecs[i]!, metric, 7);
        expect(row.map((h) => h.key)).toEqual(want.map((h) => h.key));
        row.forEach((h, j) => expect(h.distance).toBeCloseTo(want[j]!.distance, 4));
      });
    });
  }

  it('caps k, replaces by key and removes by moving the last row', async () => {
    const index = new BruteForceIndex(params({ dims, metric: 'ip' }));
    await index.upsert(items(vecs.slice(0, 4)));
    expect((await index.search([vecs[0]!], 10))[0]).toHaveLength(4);
    await index.upsert([{ key: 1, vector: vecs[10]! }]);
    await index.remove([0, 42], 9);
    expect([index.size, index.deletedCount, index.seq]).toEqual([3, 0, 9]);
    const row = (await index.search([vecs[10]!], 10))[0]!;
    expect(keysOf([row])[0]!.sort()).toEqual([1, 2, 3]);
    expect(row.find((h) => h.key === 1)!.distance).toBeCloseTo(naive([vecs[10]!], vecs[10]!, 'ip', 1)[0]!.distance, 4);
  });

  it('restricts results to allowed keys, each once', async () => {
    const index = new BruteForceIndex(params({ dims, metric: 'l2' }));
    await index.upsert(items(vecs));
    const allow = Int32Array.from([250, 7, 7, 19, 1000]);
    const row = (await index.search([vecs[0]!], 10, { allow }))[0]!;
    expect(row.map((h) => h.key).sort((a, b) => a - b)).toEqual([7, 19, 250]);
  });

  it('exactKnn agrees with the index on inner-product distance', async () => {
    const data = new Float32Array(vecs.length * dims);
    vecs.forEach((x, i) => data.set(x, i * dims));
    const keys = Int32Array.from(vecs, (_, i) => i + 1000);
    const index = new BruteForceIndex(params({ dims, metric: 'ip' }));
    await index.upsert(items(vecs, 1000));
    expect(exactKnn(data, keys, vecs.slice(0, 3), 5, dims)).toEqual(await index.search(vecs.slice(0, 3), 5));
  });
});
