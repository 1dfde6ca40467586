/**
 * `kmeans()` off the event loop: runs in worker threads (2 by default) that share one
 * WebAssembly.Memory, so a long clustering never blocks the caller's queries. The data is copied
 * once into that shared memory (the caller's array is left untouched); results are transferred
 * back. Same options and bit-identical results as the in-process `kmeans()`, whatever the thread
 * count. Progress is reported through `onProgress`; `signal` aborts (the workers are terminated).
 */
import { availableParallelism } from 'node:os';
import { abortError } from '../../threads/abort.js';
import { WorkerHost, type WorkerEnd } from '../../threads/worker-host.js';
import { resolveKmeansOptions, type KmeansOptions, type KmeansResult } from './kmeans.js';
import { createControl } from './runner.js';
import type { KmeansProgress, KmeansWorkerInit } from './kmeans-worker.js';
import type { SolveResult } from './solve.js';
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

/** Starts k-means worker `init.thread`: thread 0 answers one call with the result, helpers only work. */
function start(init: KmeansWorkerInit, onProgress: ((fraction: number) => void) | undefined, onFailure: (error: Error) => void): WorkerHost<null, KmeansProgress> {
  const t = init.thread;
  const failed = (end: WorkerEnd): Error =>
    new Error(end.how === 'error' ? `k-means worker ${t} failed: ${end.cause}` : `k-means worker ${t} exited early (code ${end.code})`);
  return WorkerHost.start<null, KmeansProgress>(import.meta.url, 'kmeans-worker', {
    name: `k-means worker ${t}`,
    workerData: init,
    onEvent: (e) => onProgress?.(e.fraction),
    failure: failed,
    // helpers return (code 0) once the driver is done; anything else before a result is a failure
    onEnd: (end) => {
      if (end.how === 'error' || (end.how === 'exit' && end.code !== 0)) onFailure(failed(end));
    },
  });
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
  if (opts.signal?.aborted) throw abortError('k-means was aborted');
  const layout = planLayout(n, dims, solve.k, threads);
  const memory = allocateMemory(layout);
  loadRows(new Workspace(memory, layout, 0), data);
  const ctrl = createControl();
  const workers: WorkerHost<null, KmeansProgress>[] = [];
  return new Promise<KmeansResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, result?: KmeansResult): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      // settle once every thread is gone, so the memory can go back to the pool for the next run
      void Promise.all(workers.map((w) => w.terminate(error ?? 'finished'))).then(() => {
        releaseMemory(memory);
        if (error) reject(error);
        else resolve(result!);
      });
    };
    const onAbort = (): void => finish(abortError('k-means was aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    for (let thread = 0; thread < threads; thread++) {
      workers.push(start({ memory, layout, ctrl, thread, opts: solve }, opts.onProgress, (e) => finish(e)));
    }
    workers[0]!.call<SolveResult>(null).then((r) => {
      const { centroids, assignments, inertia, iterations, restartsRun, miniBatch } = r;
      opts.onProgress?.(1);
      finish(null, { centroids, assignments, inertia, iterations, restartsRun, miniBatch });
    }, (e: Error) => finish(e));
  });
}
