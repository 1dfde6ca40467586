/**
 * Worker-thread entry of the training thread (thread.ts): readies tfjs on its
 * WebAssembly backend (XNNPACK SIMD products; plain JavaScript if that fails), then runs one
 * training task per message, off the server's event loop. Never imported by the main thread.
 */
import { jsOps, type MatrixOps } from '../../ml/heads/ops.js';
import { tfjsOps } from '../../ml/heads/tfjs-ops.js';
import { selectBackend } from '../../modules/runtimes/tfjs/backends.js';
import { ready, serve, transferring } from '../../threads/serve.js';
import type { TrainReady, TrainReply } from './thread.js';
import { runTraining, type TrainTask } from './train.js';

let ops: MatrixOps;
let note: string | null = null;
try {
  await selectBackend('wasm');
  ops = tfjsOps();
} catch (e) {
  ops = jsOps;
  note = `tfjs wasm backend unavailable (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); training with plain JavaScript products`;
}

serve((task: TrainTask) => {
  const outcome = runTraining(task, ops);
  if (note) outcome.stats.note = note;
  // the task's buffers go back to the caller for reuse (see matrix-pool.ts)
  const { train, validation } = task;
  const returned = [train.x.buffer, train.y.buffer, ...(validation ? [validation.x.buffer, validation.y.buffer] : [])] as ArrayBuffer[];
  const reply: TrainReply = { outcome, returned: [...new Set(returned)] };
  return transferring(reply, [...returned, outcome.params.buffer, ...(outcome.validationPredicted ? [outcome.validationPredicted.buffer] : [])]);
});
ready<TrainReady>({ engine: ops.name });
