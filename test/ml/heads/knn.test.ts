import { describe, expect, it } from 'vitest';
import { exactNeighbours, knnProbabilities, knnVote } from '../../../src/ml/heads/knn.js';
import { jsOps } from '../../../src/ml/heads/ops.js';
import { accuracyOf, gaussianClasses, part } from './support.js';

describe('knn head', () => {
  it('finds the exact top-k by inner product, best first', () => {
    const ref = Float32Array.from([1, 0, 0, 1, 0.6, 0.8, -1, 0]);
    const { index, score, k } = exactNeighbours(ref, 4, Float32Array.from([1, 0, 0.8, 0.6]), 2, 2, 3, jsOps);
    expect(k).toBe(3);
    expect(Array.from(index.subarray(0, 3))).toEqual([0, 2, 1]);
    expect(Array.from(index.subarray(3, 6))).toEqual([2, 0, 1]);
    expect(score[0]).toBeCloseTo(1);
    expect(score[3]).toBeCloseTo(0.96);
  });

  it('votes by similarity, ignores unknown classes, and is uniform without votes', () => {
    const p = knnVote([0, 1, 1, -1], [0.9, 0.5, 0.3, 0.99], 2);
    expect(p[0]).toBeCloseTo(0.9 / 1.7, 4);
    expect(p[1]).toBeCloseTo(0.8 / 1.7, 4);
    expect(Array.from(knnVote([], [], 4))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('classifies held-out rows of separable classes', () => {
    // unit rows, as the embeddings are: inner product = cosine
    const data = gaussianClasses({ counts: [80, 80, 80], dims: 6, seed: 2, noise: 0.5 });
    for (let i = 0; i < data.n; i++) {
      const row = data.x.subarray(i * 6, (i + 1) * 6);
      const norm = Math.hypot(...row);
      row.forEach((v, j) => (row[j] = v / norm));
    }
    const ref = part(data, 0, 180);
    const test = part(data, 180, 240);
    const nb = exactNeighbours(ref.x, ref.n, test.x, test.n, 6, 5, jsOps);
    expect(accuracyOf(knnProbabilities(nb, test.n, ref.y, 3), test.y, 3)).toBeGreaterThanOrEqual(0.95);
  });
});
