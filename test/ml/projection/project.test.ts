import { describe, expect, it } from 'vitest';
import { neighbourAgreement } from '../../../src/ml/projection/neighbour-agreement.js';
import { nearestNeighbours } from '../../../src/ml/projection/neighbours.js';
import { project2d } from '../../../src/ml/projection/project.js';
import { blobs, uniformRows } from '../support.js';

/** The k nearest base rows of query q by a plain double loop (ties to the lower row). */
function bruteForce(queries: Float32Array, base: Float32Array, q: number, s: number, dims: number, k: number): number[] {
  const d = Array.from({ length: s }, (_, j) => {
    let t = 0;
    for (let i = 0; i < dims; i++) t += (queries[q * dims + i]! - base[j * dims + i]!) ** 2;
    return [t, j] as const;
  });
  return d.sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, k).map(([, j]) => j);
}

describe('2D projection', () => {
  it('finds the exact nearest neighbours of every query, nearest first', () => {
    const dims = 13;
    const base = uniformRows(301, dims, 1);
    const queries = uniformRows(257, dims, 2);
    const nb = nearestNeighbours(queries, 257, base, 301, dims, 5);
    expect(nb.k).toBe(5);
    for (let q = 0; q < 257; q++) {
      expect(Array.from(nb.index.subarray(q * 5, q * 5 + 5))).toEqual(bruteForce(queries, base, q, 301, dims, 5));
      for (let p = 1; p < 5; p++) expect(nb.distance[q * 5 + p]!).toBeGreaterThanOrEqual(nb.distance[q * 5 + p - 1]!);
    }
    expect(nearestNeighbours(queries.subarray(0, 3 * dims), 3, base.subarray(0, 2 * dims), 2, dims, 5).k).toBe(2);
  });

  it('keeps separated groups apart on the map, laying out a sample and placing the rest', () => {
    const { data, labels, n, dims } = blobs({ k: 4, perCluster: 90, dims: 32, seed: 5, noise: 1.5 });
    const p = project2d(data, n, dims, { seed: 3, sampleSize: 200 });
    expect(p).toMatchObject({ sampleSize: 200, neighbors: 15 });
    expect(p.xy).toHaveLength(2 * n);
    expect(p.sampled.reduce((a, b) => a + b, 0)).toBe(200);
    expect(p.xy.every(Number.isFinite)).toBe(true);
    expect(neighbourAgreement(data, n, dims, labels)).toBe(1);
    expect(neighbourAgreement(p.xy, n, 2, labels)).toBeGreaterThan(0.95);
    // a placed row lands among the sampled rows of its own group: its nearest sampled row on the map shares its label
    const sampledRows = [...p.sampled.keys()].filter((i) => p.sampled[i]);
    let agree = 0;
    const placed = [...p.sampled.keys()].filter((i) => !p.sampled[i]);
    for (const i of placed) {
      const nearest = sampledRows.reduce((best, j) => ((p.xy[2 * j]! - p.xy[2 * i]!) ** 2 + (p.xy[2 * j + 1]! - p.xy[2 * i + 1]!) ** 2 < (p.xy[2 * best]! - p.xy[2 * i]!) ** 2 + (p.xy[2 * best + 1]! - p.xy[2 * i + 1]!) ** 2 ? j : best));
      if (labels[nearest] === labels[i]) agree++;
    }
    expect(agree / placed.length).toBeGreaterThan(0.95);
  });

  it('is deterministic for a seed', () => {
    const { data, n, dims } = blobs({ k: 3, perCluster: 30, dims: 8, seed: 9 });
    const a = project2d(data, n, dims, { seed: 4, sampleSize: 60, epochs: 50 });
    const b = project2d(data, n, dims, { seed: 4, sampleSize: 60, epochs: 50 });
    expect(Array.from(b.xy)).toEqual(Array.from(a.xy));
    expect(Array.from(b.sampled)).toEqual(Array.from(a.sampled));
    const c = project2d(data, n, dims, { seed: 5, sampleSize: 60, epochs: 50 });
    expect(Array.from(c.xy)).not.toEqual(Array.from(a.xy));
  });

  it('lays out sets too small for 15 neighbours with fewer, and one or two rows without UMAP', () => {
    const { data, n, dims } = blobs({ k: 2, perCluster: 5, dims: 4, seed: 1 });
    const p = project2d(data, n, dims, { seed: 0, epochs: 30 });
    expect(p).toMatchObject({ sampleSize: 10, neighbors: 9 });
    expect(p.xy.every(Number.isFinite)).toBe(true);
    expect(Array.from(project2d(data, 1, dims, { seed: 0 }).xy)).toEqual([0, 0]);
    expect(Array.from(project2d(data, 2, dims, { seed: 0 }).xy)).toEqual([0, 0, 1, 0]);
  });

  it('scores the share of neighbours that agree with the labels', () => {
    // 1-D: 0, 1, 2 labelled a, 10, 11 labelled b; with k = 2 row 2's neighbours are 1 and 0
    const rows = Float32Array.from([0, 1, 2, 10, 11]);
    expect(neighbourAgreement(rows, 5, 1, ['a', 'a', 'a', 'b', 'b'], 2)).toBeCloseTo((1 + 1 + 1 + 0.5 + 0.5) / 5, 10);
  });
});
