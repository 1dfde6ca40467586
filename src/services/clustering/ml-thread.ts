/**
 * The synchronous src/ml computations a clustering job needs besides k-means (which has its own
 * `runKmeansInWorker`): `chooseK` and `silhouetteScore`, each run in a fresh worker thread so a
 * job never blocks the server's queries for the seconds they take. The data is copied once and
 * transferred; `signal` terminates the thread.
 */
import type { Worker } from 'node:worker_threads';
import type { ChooseKOptions, KScore } from '../../ml/choose-k.js';
import type { SilhouetteOptions } from '../../ml/silhouette.js';
import { spawnSiblingWorker } from '../../threads.js';

/** A computation for the thread. */
export type MlTask =
  | { kind: 'chooseK'; data: Float32Array; n: number; dims: number; opts: Omit<ChooseKOptions, 'onProgress'> }
  | { kind: 'silhouette'; data: Float32Array; n: number; dims: number; labels: Int32Array; opts: SilhouetteOptions };

/** Messages from the thread. */
export type MlMessage = { type: 'progress'; fraction: number } | { type: 'done'; result: unknown } | { type: 'error'; message: string };

/** What `chooseKInThread` resolves with (chooseK's result). */
export interface ChosenK {
  k: number;
  reason: string;
  sampleSize: number;
  scores: KScore[];
}

function spawn(task: MlTask, transfer: ArrayBuffer[]): Worker {
  return spawnSiblingWorker(import.meta.url, 'ml-thread-worker', { workerData: task, transferList: transfer });
}

function abortError(): Error {
  const e = new Error('the computation was aborted');
  e.name = 'AbortError';
  return e;
}

/** Runs `task` in a new worker thread; the task's arrays are transferred (callers pass copies). */
function run(task: MlTask, opts: { signal?: AbortSignal; onProgress?: (fraction: number) => void }): Promise<unknown> {
  if (opts.signal?.aborted) return Promise.reject(abortError());
  const transfer = [task.data.buffer as ArrayBuffer, ...(task.kind === 'silhouette' ? [task.labels.buffer as ArrayBuffer] : [])];
  const worker = spawn(task, transfer);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, result?: unknown): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (error) reject(error);
      else resolve(result);
    };
    const onAbort = (): void => finish(abortError());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: MlMessage) => {
      if (m.type === 'progress') opts.onProgress?.(m.fraction);
      else if (m.type === 'error') finish(new Error(`${task.kind} failed: ${m.message}`));
      else finish(null, m.result);
    });
    worker.on('error', (e) => finish(new Error(`${task.kind} thread failed: ${e.message}`)));
    worker.on('exit', (code) => finish(new Error(`${task.kind} thread exited early (code ${code})`)));
  });
}

/** `chooseK` (src/ml/choose-k.ts) on a copy of `data`, in a worker thread. */
export async function chooseKInThread(
  data: Float32Array, n: number, dims: number, opts: Omit<ChooseKOptions, 'onProgress'>,
  control: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<ChosenK> {
  return (await run({ kind: 'chooseK', data: data.slice(), n, dims, opts }, control)) as ChosenK;
}

/** `silhouetteScore` (src/ml/silhouette.ts) on copies of `data` and `labels`, in a worker thread; null where undefined. */
export async function silhouetteInThread(
  data: Float32Array, n: number, dims: number, labels: Int32Array, opts: SilhouetteOptions, signal?: AbortSignal,
): Promise<number | null> {
  return (await run({ kind: 'silhouette', data: data.slice(), n, dims, labels: labels.slice(), opts }, { signal })) as number | null;
}
