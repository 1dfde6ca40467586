import { describe, expect, it } from 'vitest';
import { BruteForceIndex } from '../../src/index/brute-force.js';
import { catchUp } from '../../src/index/catch-up.js';
import { openHnswIndex } from '../../src/index/hnsw.js';
import type { Change } from '../../src/store/types.js';
import { clusteredVectors } from './clustered.js';
import { params, tempDir } from './helpers.js';

const v = clusteredVectors({ n: 8, dims: 512, clusters: 8, noise: 0.1, seed: 5 });

/** A change log as the store would page it. */
function log(changes: Change[]) {
  const calls: [number, number][] = [];
  const changesSince = async (after: number, limit: number) => {
    calls.push([after, limit]);
    return changes.filter((c) => c.seq > after).slice(0, limit);
  };
  return { changesSince, calls };
}

const live = (key: number, seq: number, vector: Float32Array): Change => ({ key, seq, deleted: false, vector });
const gone = (key: number, seq: number): Change => ({ key, seq, deleted: true, vector: null });

const history: Change[] = [
  live(1, 1, v[0]!),
  live(2, 2, v[1]!),
  gone(1, 3),
  live(3, 4, v[2]!),
  live(2, 5, v[3]!),
  gone(99, 6),
  live(1, 7, v[4]!),
];

async function nearest(index: { search: BruteForceIndex['search'] }, q: Float32Array): Promise<number> {
  return (await index.search([q], 1))[0]![0]!.key;
}

describe('catchUp', () => {
  it('applies upserts and deletes in seq order, page by page', async () => {
    const index = new BruteForceIndex(params());
    const { changesSince, calls } = log(history);
    expect(await catchUp(index, changesSince, 2)).toBe(7);
    expect(calls).toEqual([[0, 2], [2, 2], [4, 2], [6, 2]]);
    expect([index.size, index.seq]).toEqual([3, 7]);
    expect(await nearest(index, v[3]!)).toBe(2);
    expect(await nearest(index, v[4]!)).toBe(1);
    expect((await index.search([v[0]!], 3))[0]!.map((h) => h.key).sort()).toEqual([1, 2, 3]);
  });

  it('lets the last change of a key within a page win', async () => {
    const index = new BruteForceIndex(params());
    await catchUp(index, log(history.slice(0, 3)).changesSince);
    expect([index.size, index.seq]).toEqual([1, 3]);
  });

  it('starts after the seq the index already reflects', async () => {
    const index = new BruteForceIndex(params());
    await index.upsert([{ key: 1, vector: v[0]! }, { key: 2, vector: v[1]! }], 2);
    const { changesSince, calls } = log(history);
    expect(await catchUp(index, changesSince)).toBe(5);
    expect(calls[0]).toEqual([2, 2000]);
    expect([index.size, index.seq]).toEqual([3, 7]);
  });

  it('catches up an HNSW index, and does nothing when it is current', async () => {
    const tmp = await tempDir();
    const index = await openHnswIndex({ dir: tmp.dir, name: 'c', params: params() });
    try {
      expect(await catchUp(index, log(history).changesSince, 3)).toBe(7);
      expect([index.size, index.deletedCount, index.seq]).toEqual([3, 0, 7]);
      expect(await nearest(index, v[3]!)).toBe(2);
      expect(await catchUp(index, log(history).changesSince)).toBe(0);
    } finally {
      await index.close();
      await tmp.cleanup();
    }
  });

  it('rejects a change log that does not move past afterSeq', async () => {
    const index = new BruteForceIndex(params());
    await expect(catchUp(index, async () => [live(1, 0, v[0]!)])).rejects.toThrow(/must ascend past afterSeq/);
  });
});
