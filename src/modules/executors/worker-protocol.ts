import type { ModelInput } from '../text/model-input.js';
import type { RunnerOptions } from '../runtimes/model-runner.js';
import type { BackendName } from '../types.js';

/**
 * Messages between the worker pool and an embedding worker (embed-worker.ts). The worker gets its
 * RunnerOptions as `workerData`, answers `ready` (or `failed`) once, then one `result` or `error`
 * per `run`; `log` lines (graph built, backend skipped, fallback to tfjs) go to the pool's
 * logger. Result vectors travel in the transfer list.
 */
export type WorkerInit = RunnerOptions;

/** Pool → worker: embed one batch. */
export type ToWorker = { type: 'run'; id: number; input: ModelInput };

/** Worker → pool: start-up outcome, then one answer per batch, matched by `id`. */
export type FromWorker =
  | { type: 'ready'; backend: BackendName; dims: number; note: string | null }
  | { type: 'failed'; message: string }
  | { type: 'log'; level: 'info' | 'warn'; fields: object; msg: string }
  | { type: 'result'; id: number; vectors: Float32Array }
  | { type: 'error'; id: number; message: string };
