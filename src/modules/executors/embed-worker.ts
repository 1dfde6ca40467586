/**
 * Entry point of an embedding worker thread: loads the module on its own runtime (an ONNX
 * Runtime session, or tfjs) from `workerData` (RunnerOptions), then embeds the batches the pool
 * sends, one at a time (tokenizing them here), replying with transferred Float32Array buffers.
 * See worker-pool.ts for the other side.
 */
import { workerData } from 'node:worker_threads';
import { emit, failStart, ready, serve, transferring } from '../../threads/serve.js';
import { loadModelRunner } from '../runtimes/load-runner.js';
import type { ModelRunner } from '../runtimes/model-runner.js';
import type { EmbedRequest, WorkerInit, WorkerLog, WorkerReady } from './worker-protocol.js';

const logger = {
  info: (fields: object, msg = '') => emit<WorkerLog>({ level: 'info', fields, msg }),
  warn: (fields: object, msg = '') => emit<WorkerLog>({ level: 'warn', fields, msg }),
};

let runner: ModelRunner;
try {
  runner = await loadModelRunner(workerData as WorkerInit, logger);
} catch (e) {
  failStart(e);
}

// serve answers calls one after another even if the pool sends ahead: one graph execution at a time
serve(async (input: EmbedRequest) => {
  const vectors = await runner.run(input.texts);
  return transferring(vectors, [vectors.buffer]);
});
ready<WorkerReady>({ backend: runner.backend, dims: runner.dims, note: runner.note });
