import { describe, expect, it } from 'vitest';
import { chooseK } from '../../src/ml/choose-k.js';
import { blobs } from './support.js';

describe('choose k', () => {
  it('picks the true k on clean blobs and says why', () => {
    const { data, n, dims } = blobs({ k: 4, perCluster: 100, dims: 16, seed: 2 });
    const r = chooseK(data, n, dims);
    expect(r.k).toBe(4);
    expect(r.scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(r.reason).toMatch(/^k=4 had the highest silhouette 0\.\d\d of k=2\.\.14 on all 400 points$/);
  });

  it('scores on a sample when there are more rows', () => {
    const { data, n, dims } = blobs({ k: 6, perCluster: 500, dims: 8, seed: 4 });
    const r = chooseK(data, n, dims, { maxK: 9, sampleSize: 1000 });
    expect(r.k).toBe(6);
    expect(r.sampleSize).toBe(1000);
    expect(r.reason).toMatch(/^k=6 had the highest silhouette .* of k=2\.\.9 on a 1000-point sample$/);
  });

  it('falls back to one cluster when there are too few rows', () => {
    const r = chooseK(new Float32Array(10), 5, 2);
    expect(r.k).toBe(1);
    expect(r.reason).toBe('k=1: 5 rows are too few to compare k=2..2');
  });
});
