/**
 * Worker-thread entry of ml-thread.ts: runs one synchronous src/ml computation (chooseK,
 * silhouetteScore or project2d) per call off the server's event loop, reporting progress as events.
 * Never imported by the main thread.
 */
import { chooseK } from '../../ml/choose-k.js';
import { project2d } from '../../ml/projection/project.js';
import { silhouetteScore } from '../../ml/silhouette.js';
import { emit, serve, transferring } from '../../threads/serve.js';
import type { MlProgress, MlTask } from './ml-thread.js';

serve((task: MlTask) => {
  if (task.kind === 'chooseK') {
    const r = chooseK(task.data, task.n, task.dims, { ...task.opts, onProgress: (fraction) => emit<MlProgress>({ fraction }) });
    return { k: r.k, reason: r.reason, sampleSize: r.sampleSize, scores: r.scores };
  }
  if (task.kind === 'project') {
    const p = project2d(task.data, task.n, task.dims, { ...task.opts, onProgress: (fraction) => emit<MlProgress>({ fraction }) });
    return transferring(p, [p.xy.buffer, p.sampled.buffer]);
  }
  try {
    return silhouetteScore(task.data, task.n, task.dims, task.labels, task.opts);
  } catch (e) {
    // the sample holds a single cluster, or as many clusters as rows: the silhouette is undefined
    if (e instanceof RangeError) return null;
    throw e;
  }
});
