/**
 * Progress of a running clustering, written to the store (and mirrored onto its job) when it has
 * moved by 2% or a second has passed, never backwards; the writes are chained, so they land in order.
 */
import type { Logger } from '../../log.js';
import type { ClusteringPatch, Store } from '../../store/types.js';
import type { Report } from './job.js';

/** Progress never reads 1 before the result is stored (finishClustering sets it). */
const MAX_RUNNING_PROGRESS = 0.99;

/** A throttled reporter for clustering `id`; `flush()` resolves once every write so far has landed. */
export function progressReporter(store: Store, id: string, logger: Logger): { report: Report; flush(): Promise<void> } {
  let last = 0;
  let lastAt = 0;
  let chain = Promise.resolve();
  const write = (patch: ClusteringPatch): void => {
    chain = chain
      .then(() => store.updateClustering(id, patch))
      .catch((err: unknown) => logger.warn({ err, clustering: id }, 'could not store clustering progress'));
  };
  const report: Report = (fraction, patch) => {
    const progress = Math.min(MAX_RUNNING_PROGRESS, Math.max(last, fraction));
    const now = Date.now();
    const worth = progress > last && (progress - last >= 0.02 || now - lastAt >= 1000);
    if (!patch && !worth) return;
    last = progress;
    lastAt = now;
    write({ ...patch, progress });
  };
  return { report, flush: () => chain };
}
