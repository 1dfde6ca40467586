/**
 * The synchronous src/ml computations a clustering job needs besides k-means (which has its own
 * `runKmeansInWorker`): `chooseK`, `silhouetteScore` and `project2d`, each run in a fresh worker thread so a
 * job never blocks the server's queries for the seconds they take. The data is copied once and
 * transferred; `signal` terminates the thread.
 */
import type { ChooseKOptions, KScore } from '../../ml/choose-k.js';
import type { Projection, ProjectionOptions } from '../../ml/projection/project.js';
import type { SilhouetteOptions } from '../../ml/silhouette.js';
import { abortError } from '../../threads/abort.js';
import { describeEnd, WorkerHost } from '../../threads/worker-host.js';

/** A computation for the thread. */
export type MlTask =
  | { kind: 'chooseK'; data: Float32Array; n: number; dims: number; opts: Omit<ChooseKOptions, 'onProgress'> }
  | { kind: 'silhouette'; data: Float32Array; n: number; dims: number; labels: Int32Array; opts: SilhouetteOptions }
  | { kind: 'project'; data: Float32Array; n: number; dims: number; opts: Omit<ProjectionOptions, 'onProgress'> };

/** Progress the thread reports while it computes. */
export interface MlProgress {
  fraction: number;
}

/** What `chooseKInThread` resolves with (chooseK's result). */
export interface ChosenK {
  k: number;
  reason: string;
  sampleSize: number;
  scores: KScore[];
}

/** Runs `task` in a new worker thread; the task's arrays are transferred (callers pass copies). */
async function run(task: MlTask, opts: { signal?: AbortSignal; onProgress?: (fraction: number) => void }): Promise<unknown> {
  const { signal } = opts;
  if (signal?.aborted) throw abortError('the computation was aborted');
  const name = `${task.kind} thread`;
  const host = WorkerHost.start<MlTask, MlProgress>(import.meta.url, 'ml-thread-worker', {
    name,
    onEvent: (e) => opts.onProgress?.(e.fraction),
    failure: (end) => new Error(end.how === 'exit' ? `${name} exited early (code ${end.code})` : describeEnd(name, end).replace(' crashed:', ' failed:')),
    remoteError: (e) => new Error(`${task.kind} failed: ${e.message}`),
  });
  const onAbort = (): void => void host.terminate(abortError('the computation was aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await host.call(task, [task.data.buffer, ...(task.kind === 'silhouette' ? [task.labels.buffer] : [])]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    void host.terminate();
  }
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

/** `project2d` (src/ml/projection/project.ts) on a copy of `data`, in a worker thread. */
export async function projectInThread(
  data: Float32Array, n: number, dims: number, opts: Omit<ProjectionOptions, 'onProgress'>,
  control: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<Projection> {
  return (await run({ kind: 'project', data: data.slice(), n, dims, opts }, control)) as Projection;
}
