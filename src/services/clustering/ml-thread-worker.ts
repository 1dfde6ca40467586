/**
 * Worker-thread entry of ml-thread.ts: runs one synchronous src/ml computation (chooseK or
 * silhouetteScore) off the server's event loop and posts the result. Never imported by the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { chooseK } from '../../ml/choose-k.js';
import { silhouetteScore } from '../../ml/silhouette.js';
import type { MlMessage, MlTask } from './ml-thread.js';

const port = parentPort;
if (!port) throw new Error('ml-thread-worker.ts must run as a worker thread');
const task = workerData as MlTask;
const post = (m: MlMessage): void => port.postMessage(m);

try {
  if (task.kind === 'chooseK') {
    const r = chooseK(task.data, task.n, task.dims, { ...task.opts, onProgress: (fraction) => post({ type: 'progress', fraction }) });
    post({ type: 'done', result: { k: r.k, reason: r.reason, sampleSize: r.sampleSize, scores: r.scores } });
  } else {
    let score: number | null = null;
    try {
      score = silhouetteScore(task.data, task.n, task.dims, task.labels, task.opts);
    } catch (e) {
      // the sample holds a single cluster, or as many clusters as rows: the silhouette is undefined
      if (!(e instanceof RangeError)) throw e;
    }
    post({ type: 'done', result: score });
  }
} catch (e) {
  post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
}
