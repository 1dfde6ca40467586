/**
 * `kmeans()` off the event loop: runs in worker threads (2 by default) that share one
 * WebAssembly.Memory, so a long clustering never blocks the caller's queries. The data is copied
 * once into that shared memory (the caller's array is left untouched); results are transferred
 * back. Same options and bit-identical results as the in-process `kmeans()`, whatever the thread
 * count. Progress is reported through `onProgress`; `signal` aborts (the workers are terminated).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnSiblingWorker } from '../../threads.js';
import { resolveKmeansOptions, type KmeansOptions, type KmeansResult } from './kmeans.js';
import { createControl } from './runner.js';
import type { KmeansWorkerInit, KmeansWorkerMessage } from './kmeans-worker.js';
import { allocateMemory, loadRows, planLayout, Workspace } from './workspace.js';
import { releaseMemory } from '../memory-pool.js';

/** Options of `runKmeansInWorker()`. */
export interface WorkerKmeansOptions extends KmeansOptions {
  /**
   * Worker threads sharing the row work (default: min(2, available cores)). More threads only pay
   * on cores nothing else is busy on: they meet at a barrier after every pass over the rows, so on
   * an oversubscribed machine 1 thread can finish first.
   */
  threads?: number;
  /** Aborts the run: the promise rejects with an AbortError and the workers are terminated. */
  signal?: AbortSignal;
}

/** Starts kmeans-worker beside this file with the same extension: .ts under tsx, .js when compiled. */
function spawn(init: KmeansWorkerInit): Worker {
  return spawnSiblingWorker(import.meta.url, 'kmeans-worker', { workerData: init });
}

function abortError(): Error {
  const e = new Error('k-means was aborted');
  e.name = 'AbortError';
  return e;
}

/** Clusters like `kmeans()`, in worker threads; resolves with the same result. */
export async function runKmeansInWorker(
  data: Float32Array,
  n: number,
  dims: number,
  opts: WorkerKmeansOptions,
): Promise<KmeansResult> {
  const solve = resolveKmeansOptions(data, n, dims, opts);
  const threads = opts.threads ?? Math.min(2, availableParallelism());
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new RangeError(`runKmeansInWorker: threads must be an integer in 1..64 (got ${threads})`);
  }
  if (opts.signal?.aborted) throw abortError();
  const layout = planLayout(n, dims, solve.k, threads);
  const memory = allocateMemory(layout);
  loadRows(new Workspace(memory, layout, 0), data);
  const ctrl = createControl();
  const workers: Worker[] = [];
  const exits: Promise<void>[] = [];
  return new Promise<KmeansResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, result?: KmeansResult): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      // settle once every thread is gone, so the memory can go back to the pool for the next run
      void Promise.all(exits).then(() => {
        releaseMemory(memory);
        if (error) reject(error);
        else resolve(result!);
      });
    };
    const onAbort = (): void => finish(abortError());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    for (let t = 0; t < threads; t++) {
      const worker = spawn({ memory, layout, ctrl, thread: t, opts: solve });
      workers.push(worker);
      exits.push(new Promise((done) => worker.once('exit', () => done())));
      worker.on('error', (e) => finish(new Error(`k-means worker ${t} failed: ${e.message}`)));
      // helpers return (code 0) once the driver is done; anything else before a result is a failure
      worker.on('exit', (code) => {
        if (t === 0 || code !== 0) finish(new Error(`k-means worker ${t} exited early (code ${code})`));
      });
    }
    workers[0]!.on('message', (m: KmeansWorkerMessage) => {
      if (m.type === 'progress') opts.onProgress?.(m.fraction);
      else if (m.type === 'error') finish(new Error(m.message));
      else {
        const { centroids, assignments, inertia, iterations, restartsRun, miniBatch } = m;
        opts.onProgress?.(1);
        finish(null, { centroids, assignments, inertia, iterations, restartsRun, miniBatch });
      }
    });
  });
}
