import type { ModelInput } from '../text/model-input.js';
import type { RunnerOptions } from '../runtimes/model-runner.js';
import type { BackendName } from '../types.js';

/**
 * What the worker pool and an embedding worker (embed-worker.ts) exchange over the thread host
 * (src/threads/). The worker gets its RunnerOptions as `workerData`, says `ready` (or fails to
 * start) once, then answers each call, a batch of texts, with its vectors in the transfer list;
 * log lines (graph built, backend skipped, fallback to tfjs) come as events for the pool's logger.
 */
export type WorkerInit = RunnerOptions;

/** Pool → worker: embed one batch. */
export type EmbedRequest = ModelInput;

/** Worker → pool, once the module is loaded. */
export interface WorkerReady {
  backend: BackendName;
  dims: number;
  note: string | null;
}

/** Worker → pool, unasked: one log line. */
export interface WorkerLog {
  level: 'info' | 'warn';
  fields: object;
  msg: string;
}
