/**
 * Worker-thread entry of the training thread (classification-thread.ts): readies tfjs on its
 * WebAssembly backend (XNNPACK SIMD products; plain JavaScript if that fails), then runs one
 * training task per message, off the server's event loop. Never imported by the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { jsOps, type MatrixOps } from '../ml/heads/ops.js';
import { tfjsOps } from '../ml/heads/tfjs-ops.js';
import { selectBackend } from '../modules/backends.js';
import type { TrainRequest, TrainReply } from './classification-thread.js';
import { runTraining } from './classification-train.js';

const port = parentPort;
if (!port) throw new Error('classification-worker.ts must run as a worker thread');

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
  let reply: TrainReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const outcome = runTraining(req.task, ops);
    if (note) outcome.stats.note = note;
    reply = { id: req.id, ok: true, outcome };
    transfer.push(outcome.params.buffer as ArrayBuffer);
    if (outcome.validationPredicted) transfer.push(outcome.validationPredicted.buffer as ArrayBuffer);
  } catch (e) {
    reply = { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply, transfer);
});
port.postMessage({ ready: true, engine: ops.name });
