/**
 * Entry point of an embedding worker thread: loads the module on its own runtime (an ONNX
 * Runtime session, or tfjs) from `workerData` (RunnerOptions), then embeds the batches the pool
 * sends, one at a time (tokenizing them here), replying with transferred Float32Array buffers.
 * See worker-pool.ts for the other side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadModelRunner } from '../runtimes/load-runner.js';
import type { ModelRunner } from '../runtimes/model-runner.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('embed-worker.ts must run as a worker thread');

const send = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

const logger = {
  info: (fields: object, msg = '') => send({ type: 'log', level: 'info', fields, msg }),
  warn: (fields: object, msg = '') => send({ type: 'log', level: 'warn', fields, msg }),
};

let runner: ModelRunner;
try {
  runner = await loadModelRunner(workerData as WorkerInit, logger);
  send({ type: 'ready', backend: runner.backend, dims: runner.dims, note: runner.note });
} catch (e) {
  send({ type: 'failed', message: messageOf(e) });
  process.exit(1);
}

// Batches run one after another even if the pool sends ahead: one graph execution at a time.
let chain = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  chain = chain.then(() =>
    runner.run(msg.input.texts).then(
      (vectors) => send({ type: 'result', id: msg.id, vectors }, [vectors.buffer as ArrayBuffer]),
      (e: unknown) => send({ type: 'error', id: msg.id, message: messageOf(e) }),
    ),
  );
});
