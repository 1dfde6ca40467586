import { describe, expect, it } from 'vitest';
import { kmeans } from '../../../src/ml/kmeans/kmeans.js';
import { runKmeansInWorker } from '../../../src/ml/kmeans/run-in-worker.js';
import { blobs } from '../support.js';

describe('kmeans in worker threads', () => {
  const { data, n, dims } = blobs({ k: 5, perCluster: 1200, dims: 20, seed: 3, noise: 4 });

  it('gives the same result as in process, with one thread or two', async () => {
    const opts = { k: 5, seed: 9, restarts: 2, miniBatch: false as const };
    const local = kmeans(data, n, dims, opts);
    const progress: number[] = [];
    for (const threads of [1, 2]) {
      const remote = await runKmeansInWorker(data, n, dims, { ...opts, threads, onProgress: (f) => progress.push(f) });
      expect(remote.inertia).toBe(local.inertia);
      expect(remote.iterations).toBe(local.iterations);
      expect(Array.from(remote.assignments)).toEqual(Array.from(local.assignments));
      expect(Array.from(remote.centroids)).toEqual(Array.from(local.centroids));
    }
    expect(progress.at(-1)).toBe(1);
  });

  it('keeps the event loop free while it runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await runKmeansInWorker(data, n, dims, { k: 5, restarts: 3, miniBatch: false, threads: 2 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });

  it('rejects with an AbortError when aborted', async () => {
    const controller = new AbortController();
    const run = runKmeansInWorker(data, n, dims, { k: 5, restarts: 50, tol: 0, miniBatch: false, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects bad input before starting any thread', async () => {
    await expect(runKmeansInWorker(data, n, dims, { k: 0 })).rejects.toThrow('k must be an integer');
    await expect(runKmeansInWorker(data, n, dims, { k: 2, threads: 0 })).rejects.toThrow('threads must be an integer in 1..64');
  });
});
