import { describe, expect, it } from 'vitest';
import { representatives } from '../../src/ml/representatives.js';

describe('representatives', () => {
  it('returns the members nearest each centroid by cosine, best first', () => {
    const data = Float32Array.from([1, 0, 0.9, 0.1, 0.5, 0.5, 0, 1, 0.1, 0.9, 0.7, 0.7]);
    const assignments = [0, 0, 0, 1, 1, 0];
    const centroids = Float32Array.from([1, 0, 0, 1]);
    const [a, b] = representatives(data, 6, 2, assignments, centroids, 2);
    expect(a!.map((r) => r.index)).toEqual([0, 1]);
    expect(a![0]!.score).toBeCloseTo(1, 6);
    expect(a![1]!.score).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 6);
    expect(b!.map((r) => r.index)).toEqual([3, 4]);
  });

  it('keeps the lower row index on ties and ignores unassigned rows', () => {
    const data = Float32Array.from([1, 1, 2, 2, 3, 3, 1, 1]);
    const [a] = representatives(data, 4, 2, [0, 0, -1, 0], Float32Array.from([1, 1]), 2);
    expect(a!.map((r) => r.index)).toEqual([0, 1]);
  });
});
