/**
 * `classifyDocuments` as a server-side job: the stored documents matching a filter are classified
 * page by page with one pinned head version, and each gets `{label, probability, version}` under
 * the `writeTo` metadata key (a metadata patch: new seq, text and vector unchanged), so the
 * predictions are filterable like any metadata. Progress and the result go to the job row;
 * jobs run one at a time per process. A job this process owns is refreshed every `heartbeatMs`;
 * unfinished classify jobs nobody refreshed for `staleMs` are failed by every process's sweep.
 */
import { randomUUID } from 'node:crypto';
import { isAppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ClassifierRow, CollectionRow, JobRow, Store } from '../../store/types.js';
import type { Filter } from '../filter.js';
import type { PredictionModel } from './predict.js';
import { JobQueue } from '../jobs/job-queue.js';

/** The job kind of classifyDocuments. */
export const CLASSIFY_JOB_KIND = 'classify';
/** Documents per page: one prediction batch and one metadata transaction. */
const PAGE = 500;

/** Classifies stored documents: (collection, head, their keys, their vectors) → predictions in order. */
export type DocumentPredictor = (collection: CollectionRow, row: ClassifierRow, keys: number[], vectors: Float32Array[]) => Promise<PredictionModel[]>;

export interface ClassifyJobRequest {
  collection: CollectionRow;
  classifier: ClassifierRow;
  rawFilter: unknown;
  filter: Filter | null;
  writeTo: string;
}

const STOPPED = 'the server stopped before this classification finished; run classifyDocuments again';

/** Starts and runs classifyDocuments jobs; owns those of this process. */
export class ClassifyJobs {
  private readonly owned = new Map<string, { collectionKey: number; abort: AbortController }>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly queue = new JobQueue(1);
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly predict: DocumentPredictor,
    private readonly afterWrite: (collection: CollectionRow) => Promise<void>,
    private readonly logger: Logger,
    private readonly opts: { heartbeatMs?: number; staleMs?: number } = {},
  ) {
    this.timer = setInterval(() => void this.tick(), opts.heartbeatMs ?? 15_000);
    this.timer.unref();
    void this.tick();
  }

  /** Stores a PENDING job and queues it; resolves with the job row at once. */
  async start(req: ClassifyJobRequest): Promise<JobRow> {
    const { collection, classifier: row } = req;
    const job = await this.store.createJob({
      id: randomUUID(), kind: CLASSIFY_JOB_KIND, collectionKey: collection.key,
      params: { classifier: row.name, version: row.version, filter: req.rawFilter ?? null, writeTo: req.writeTo },
    });
    const abort = new AbortController();
    this.owned.set(job.id, { collectionKey: collection.key, abort });
    const task: Promise<void> = this.queue.run(() => this.execute(job.id, req, abort.signal)).finally(() => {
      this.owned.delete(job.id);
      this.tasks.delete(task);
    });
    this.tasks.add(task);
    return job;
  }

  /** Cancels this process's jobs on a deleted collection (their rows went with it). */
  cancelCollection(collection: CollectionRow): void {
    for (const job of this.owned.values()) if (job.collectionKey === collection.key) job.abort.abort();
  }

  /** Stops the timer, cancels this process's jobs and records them FAILED. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const ids = [...this.owned.keys()];
    for (const job of this.owned.values()) job.abort.abort();
    await Promise.allSettled([...this.tasks]);
    for (const id of ids) await this.store.updateJob(id, { status: 'FAILED', error: STOPPED }).catch(() => {});
  }

  private async execute(id: string, req: ClassifyJobRequest, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const { collection, classifier: row, filter, writeTo } = req;
    try {
      await this.store.updateJob(id, { status: 'RUNNING', progress: 0 });
      const total = await this.store.countDocuments(collection.key, filter);
      const byLabel: Record<string, number> = {};
      let done = 0;
      let afterKey: number | undefined;
      for (;;) {
        if (signal.aborted) return;
        const page = await this.store.vectors(collection.key, filter, { first: PAGE, afterKey });
        if (page.length === 0) break;
        afterKey = page.at(-1)!.key;
        const predictions = await this.predict(collection, row, page.map((p) => p.key), page.map((p) => p.vector));
        if (signal.aborted) return;
        const patches = predictions.map((p, i) => {
          byLabel[p.label] = (byLabel[p.label] ?? 0) + 1;
          return { key: page[i]!.key, set: { [writeTo]: { label: p.label, probability: p.probability, version: row.version } } };
        });
        done += await this.store.patchDocumentMetadata(collection.key, patches);
        await this.store.updateJob(id, { progress: total > 0 ? Math.min(0.99, done / total) : 0.99 });
        if (page.length < PAGE) break;
      }
      await this.afterWrite(collection);
      await this.store.updateJob(id, {
        status: 'SUCCEEDED', progress: 1,
        result: { classifier: row.name, version: row.version, writeTo, classified: done, byLabel },
      });
      this.logger.info({ job: id, classifier: row.name, version: row.version, classified: done }, 'classifyDocuments finished');
    } catch (error) {
      if (signal.aborted) return;
      if (!isAppError(error)) this.logger.error({ err: error, job: id }, 'classifyDocuments failed');
      const message = isAppError(error) ? error.message : `internal error while classifying; the server log has the details (job ${id})`;
      await this.store.updateJob(id, { status: 'FAILED', error: message }).catch(() => {});
    }
  }

  /** Heartbeat of the owned jobs, then the sweep of stale ones. */
  private async tick(): Promise<void> {
    try {
      for (const id of this.owned.keys()) await this.store.updateJob(id, {});
      const staleMs = this.opts.staleMs ?? 120_000;
      const failed = await this.store.failStaleJobs(CLASSIFY_JOB_KIND, new Date(Date.now() - staleMs), `the server running this job stopped (no progress for ${Math.round(staleMs / 1000)} s); run classifyDocuments again`);
      if (failed.length) this.logger.warn({ jobs: failed }, 'failed stale classify jobs');
    } catch (err) {
      this.logger.warn({ err }, 'classify job heartbeat failed');
    }
  }
}
