import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../../src/ml/cluster-metrics.js';
import { kmeans } from '../../../src/ml/kmeans/kmeans.js';
import { lloyd } from '../../../src/ml/kmeans/lloyd.js';
import { RowOp } from '../../../src/ml/kmeans/rows.js';
import { LocalRunner } from '../../../src/ml/kmeans/runner.js';
import { allocateMemory, loadRows, planLayout, Workspace } from '../../../src/ml/kmeans/workspace.js';
import { clearMemoryPool } from '../../../src/ml/memory-pool.js';
import { blobs, uniformRows } from '../support.js';

describe('kmeans', () => {
  it('recovers well-separated Gaussian blobs exactly', () => {
    const { data, labels, n, dims } = blobs({ k: 6, perCluster: 80, dims: 24, seed: 7 });
    const r = kmeans(data, n, dims, { k: 6, seed: 1 });
    expect(adjustedRandIndex(labels, r.assignments)).toBe(1);
    expect(r.centroids.length).toBe(6 * dims);
    expect(r.restartsRun).toBe(4);
    expect(r.miniBatch).toBe(false);
  });

  it('gives identical results for the same seed', () => {
    const data = uniformRows(600, 10, 3);
    const a = kmeans(data, 600, 10, { k: 7, seed: 42 });
    const b = kmeans(data, 600, 10, { k: 7, seed: 42 });
    expect(b.inertia).toBe(a.inertia);
    expect(Array.from(b.assignments)).toEqual(Array.from(a.assignments));
    expect(Array.from(b.centroids)).toEqual(Array.from(a.centroids));
  });

  it('may differ across seeds but reaches a close inertia', () => {
    const data = uniformRows(800, 8, 4);
    const inertias = [1, 2, 3].map((seed) => kmeans(data, 800, 8, { k: 6, seed, restarts: 1 }).inertia);
    const lo = Math.min(...inertias);
    for (const v of inertias) expect(v / lo).toBeLessThan(1.05);
  });

  it('seeds better with k-means++ than with random rows, on average', () => {
    // unbalanced blobs: random seeding often puts two centres in one blob
    const { data, n, dims } = blobs({ k: 10, perCluster: 40, dims: 6, seed: 11, noise: 0.6 });
    let pp = 0;
    let random = 0;
    for (let seed = 0; seed < 8; seed++) {
      pp += kmeans(data, n, dims, { k: 10, seed, restarts: 1, maxIter: 1 }).inertia;
      random += kmeans(data, n, dims, { k: 10, seed, restarts: 1, maxIter: 1, init: 'random' }).inertia;
    }
    expect(pp).toBeLessThan(random);
  });

  it('gets within a few percent of full k-means with mini-batches', () => {
    const { data, n, dims } = blobs({ k: 8, perCluster: 500, dims: 16, seed: 5, noise: 2 });
    const full = kmeans(data, n, dims, { k: 8, seed: 0, miniBatch: false });
    const mini = kmeans(data, n, dims, { k: 8, seed: 0, miniBatch: 256 });
    expect(mini.miniBatch).toBe(true);
    expect(mini.inertia / full.inertia).toBeLessThan(1.03);
  });

  it('switches to mini-batch above the auto threshold only', () => {
    const small = kmeans(uniformRows(300, 4, 1), 300, 4, { k: 3, restarts: 1 });
    expect(small.miniBatch).toBe(false);
  });

  it('re-seeds an empty cluster from the farthest row', () => {
    // rows near 0 and near 10 (1-D); the third centre starts far away and wins no row
    const data = Float32Array.from([0, 0.1, 0.2, 0.3, 10, 10.1, 10.2, 10.3, 12]);
    const layout = planLayout(9, 1, 3, 1);
    const ws = new Workspace(allocateMemory(layout), layout, 0);
    loadRows(ws, data);
    const runner = new LocalRunner(ws);
    runner.run(RowOp.norms);
    const dp = layout.dp;
    [0.15, 10.5, 1000].forEach((v, j) => {
      ws.centres[j * dp] = v;
      ws.cSq[j] = v * v;
    });
    const out = lloyd(ws, runner, 50, 0);
    const sizes = [0, 0, 0];
    for (const a of ws.labels) sizes[a]!++;
    expect(sizes.every((s) => s > 0)).toBe(true);
    // the farthest row from its centre (12) took the empty cluster
    expect(ws.labels[8]).not.toBe(ws.labels[4]);
    expect(Number.isFinite(out.inertia)).toBe(true);
  });

  it('survives fewer distinct rows than clusters', () => {
    // ten rows, two distinct: one centre duplicates another; relocation still gives it a row
    const data = Float32Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? 5 : 0));
    const r = kmeans(data, 10, 2, { k: 3, seed: 0 });
    expect(r.centroids.every(Number.isFinite)).toBe(true);
    expect(r.assignments.every((a) => a >= 0 && a < 3)).toBe(true);
    expect(new Set(r.assignments).size).toBe(3);
    expect(r.inertia).toBe(0);
  });

  it('handles dims that are not a multiple of 4 and k not a multiple of the tile', () => {
    const { data, labels, n, dims } = blobs({ k: 3, perCluster: 50, dims: 7, seed: 9 });
    const r = kmeans(data, n, dims, { k: 3, seed: 0 });
    expect(adjustedRandIndex(labels, r.assignments)).toBe(1);
    const inertia = directInertia(data, dims, r.centroids, r.assignments);
    expect(r.inertia).toBeCloseTo(inertia, 2);
  });

  it('reports inertia equal to the summed squared distances', () => {
    const data = uniformRows(500, 12, 8);
    const r = kmeans(data, 500, 12, { k: 5, seed: 3 });
    expect(r.inertia / directInertia(data, 12, r.centroids, r.assignments)).toBeCloseTo(1, 6);
  });

  it('reuses its working memory without carrying anything over', () => {
    const { data, n, dims } = blobs({ k: 3, perCluster: 60, dims: 7, seed: 12 });
    clearMemoryPool();
    const fresh = kmeans(data, n, dims, { k: 3, seed: 5 });
    clearMemoryPool();
    // same layout size, but 12 columns: the next run's padding columns hold its data
    kmeans(uniformRows(n, 12, 1), n, 12, { k: 3, seed: 1 });
    const reused = kmeans(data, n, dims, { k: 3, seed: 5 });
    expect(reused.inertia).toBe(fresh.inertia);
    expect(Array.from(reused.centroids)).toEqual(Array.from(fresh.centroids));
  });

  it('reports nondecreasing progress that ends at 1', () => {
    const seen: number[] = [];
    kmeans(uniformRows(400, 6, 2), 400, 6, { k: 4, restarts: 2, onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).toBe(1);
  });

  it('says exactly what is wrong with its input', () => {
    const data = new Float32Array(12);
    expect(() => kmeans(data, 4, 4, { k: 2 })).toThrow('data has 12 values, expected n*dims = 4*4 = 16');
    expect(() => kmeans(data, 4, 3, { k: 5 })).toThrow('k must be an integer in 1..n=4 (got 5)');
    expect(() => kmeans(data, 4, 3, { k: 2, miniBatch: -1 })).toThrow("miniBatch must be 'auto', false or a batch size");
    data[7] = NaN;
    expect(() => kmeans(data, 4, 3, { k: 2 })).toThrow('row 2 has a non-finite value');
  });
});

function directInertia(data: Float32Array, dims: number, centroids: Float32Array, assignments: Int32Array): number {
  let total = 0;
  assignments.forEach((a, i) => {
    for (let t = 0; t < dims; t++) total += (data[i * dims + t]! - centroids[a * dims + t]!) ** 2;
  });
  return total;
}
