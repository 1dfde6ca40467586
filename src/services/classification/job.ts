/**
 * `classifyDocuments` as a server-side job: the stored documents matching a filter are classified
 * page by page with one pinned head version, and each gets `{label, probability, version}` under
 * the `writeTo` metadata key (a metadata patch: new seq, text and vector unchanged), so the
 * predictions are filterable like any metadata. Progress and the result go to the job row. The
 * jobs run on the job runner (services/jobs/job-runner.ts), one at a time per process, with its
 * leases and cancellation. A job whose process stopped is taken over by another process (or this
 * one's next start on SQLite) and run again from its start with what its row stores (collection,
 * head name and pinned version, filter, writeTo): the same head writes the same predictions.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { ClassifierRow, CollectionRow, JobRow, JobRowPatch, Store } from '../../store/types.js';
import type { PredictionModel } from './predict.js';
import { parseFilter, type Filter } from '../filter.js';
import { jobRecords } from '../jobs/job-records.js';
import { JobRunner, type JobContext, type JobSchedule, type ResumedJob } from '../jobs/job-runner.js';

/** The job kind of classifyDocuments. */
const CLASSIFY_JOB_KIND = 'classify';
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

/** What a classifyDocuments job row stores: enough to run it again on another process. */
interface ClassifyJobParams {
  collection: string;
  classifier: string;
  /** The head version pinned when the job started. */
  version: number;
  /** The filter as the caller sent it. */
  filter: unknown;
  writeTo: string;
}


/** Starts and runs classifyDocuments jobs; owns those of this process. */
export class ClassifyJobs {
  private readonly runner: JobRunner<JobRowPatch>;

  constructor(
    private readonly store: Store,
    private readonly predict: DocumentPredictor,
    private readonly afterWrite: (collection: CollectionRow) => Promise<void>,
    private readonly logger: Logger,
    schedule: JobSchedule = {},
  ) {
    this.runner = new JobRunner({
      ...schedule,
      records: jobRecords(store, CLASSIFY_JOB_KIND),
      resume: (job) => this.resume(job),
      wording: { noun: 'classification', doing: 'classifying', rerun: 'classifyDocuments' },
      logger,
    });
  }

  /** Stores a PENDING job and queues it; resolves with the job row at once. */
  async start(req: ClassifyJobRequest): Promise<JobRow> {
    const { collection, classifier: row } = req;
    const params: ClassifyJobParams = { collection: collection.name, classifier: row.name, version: row.version, filter: req.rawFilter ?? null, writeTo: req.writeTo };
    const job = await this.store.createJob({ id: randomUUID(), kind: CLASSIFY_JOB_KIND, collectionKey: collection.key, params: { ...params }, claim: this.runner.newClaim() });
    void this.runner.submit(job, (ctx) => this.execute(req, ctx));
    return job;
  }

  /** Cancels this process's jobs on a deleted collection (their rows went with it). */
  cancelCollection(collection: CollectionRow): void {
    this.runner.cancelCollection(collection.key);
  }

  /** Cancels this process's jobs and releases them for another process (or the next start) to take over. */
  close(): Promise<void> {
    return this.runner.close();
  }

  /** The request of a job taken over, rebuilt from its row; null when its collection or head version is gone. */
  private async resume(job: JobRow): Promise<ResumedJob<JobRowPatch> | null> {
    const p = job.params as Partial<ClassifyJobParams>;
    if (typeof p.collection !== 'string' || typeof p.classifier !== 'string' || typeof p.writeTo !== 'string') return null;
    const collection = await this.store.getCollection(p.collection);
    if (!collection || collection.key !== job.collectionKey) return null;
    const classifier = await this.store.getClassifier(collection.key, p.classifier, p.version);
    if (!classifier) return null;
    const req: ClassifyJobRequest = { collection, classifier, rawFilter: p.filter ?? null, filter: parseFilter(p.filter), writeTo: p.writeTo };
    return { collectionKey: collection.key, work: (ctx) => this.execute(req, ctx) };
  }

  private async execute(req: ClassifyJobRequest, job: JobContext<JobRowPatch>): Promise<void> {
    const { collection, classifier: row, filter, writeTo } = req;
    const { id, signal } = job;
    const total = await this.store.countDocuments(collection.key, filter);
    const byLabel: Record<string, number> = {};
    let done = 0;
    let afterKey: number | undefined;
    for (;;) {
      if (signal.aborted) return;
      const page = await this.store.vectors(collection.key, row.module.sha256, filter, { first: PAGE, afterKey });
      if (page.length === 0) break;
      afterKey = page.at(-1)!.key;
      const predictions = await this.predict(collection, row, page.map((p) => p.key), page.map((p) => p.vector));
      if (signal.aborted) return;
      const patches = predictions.map((p, i) => {
        byLabel[p.label] = (byLabel[p.label] ?? 0) + 1;
        return { key: page[i]!.key, set: { [writeTo]: { label: p.label, probability: p.probability, version: row.version } } };
      });
      done += await this.store.patchDocumentMetadata(collection.key, patches);
      job.report(total > 0 ? done / total : 0.99);
      if (page.length < PAGE) break;
    }
    await this.afterWrite(collection);
    await job.update({
      status: 'SUCCEEDED', progress: 1,
      result: { classifier: row.name, version: row.version, writeTo, classified: done, byLabel },
    });
    this.logger.info({ job: id, classifier: row.name, version: row.version, classified: done }, 'classifyDocuments finished');
  }
}
