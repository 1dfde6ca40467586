/**
 * Worker-thread entry of the training thread (thread.ts): readies tfjs on its
 * WebAssembly backend (XNNPACK SIMD products; plain JavaScript if that fails), then runs one
 * training task per message, off the server's event loop. Never imported by the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { jsOps, type MatrixOps } from '../../ml/heads/ops.js';
import { tfjsOps } from '../../ml/heads/tfjs-ops.js';
import { selectBackend } from '../../modules/runtimes/tfjs/backends.js';
import type { TrainRequest, TrainReply } from './thread.js';
import { runTraining } from './train.js';

const port = parentPort;
if (!port) throw new Error('train-worker.ts must run as a worker thread');

let ops: MatrixOps;
let note: string | null = null;
try {
  await selectBackend('wasm');
  ops = tfjsOps();
} catch (e) {
  ops = jsOps;
  note = `tfjs wasm backend unavailable (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); training with plain JavaScript products`;
}

port.on('message', (req: TrainRequest) => {
  // the task's buffers go back to the caller for reuse (see matrix-pool.ts)
  const { train, validation } = req.task;
  const returned = [...new Set([train.x.buffer, train.y.buffer, ...(validation ? [validation.x.buffer, validation.y.buffer] : [])])] as ArrayBuffer[];
  let reply: TrainReply;
  const transfer: ArrayBuffer[] = [...returned];
  try {
    const outcome = runTraining(req.task, ops);
    if (note) outcome.stats.note = note;
    reply = { id: req.id, ok: true, outcome, returned };
    transfer.push(outcome.params.buffer as ArrayBuffer);
    if (outcome.validationPredicted) transfer.push(outcome.validationPredicted.buffer as ArrayBuffer);
  } catch (e) {
    reply = { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e), returned };
  }
  port.postMessage(reply, [...new Set(transfer)]);
});
port.postMessage({ ready: true, engine: ops.name });
