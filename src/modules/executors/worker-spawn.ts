import type { Worker } from 'node:worker_threads';
import { spawnSiblingWorker } from '../../threads.js';
import type { WorkerInit } from './worker-protocol.js';

/**
 * Starts an embedding worker on the entry file beside this one with the same extension:
 * `embed-worker.js` when compiled, `embed-worker.ts` when run from source (tsx, vitest), through
 * the shared bootstrap in src/threads.ts.
 */
export function spawnEmbedWorker(init: WorkerInit): Worker {
  return spawnSiblingWorker(import.meta.url, 'embed-worker', { workerData: init });
}
