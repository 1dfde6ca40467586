/**
 * Clustering as a server-side job. `start` checks the request, stores a PENDING clustering with
 * its job and returns at once; the work (job.ts) runs in the background on the job runner
 * (services/jobs/job-runner.ts): at most `concurrency` at a time, progress stored as it goes,
 * failures stored as FAILED with a message safe to show, owned jobs refreshed and stale ones
 * swept, jobs cut short by a stop recorded FAILED.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { ClusteringPatch, ClusteringRow, ClusterRow, CollectionRow, DocumentRow, PageRequest, Store } from '../../store/types.js';
import { computeClustering } from './job.js';
import { checkClustering, type ClusterInput } from './params.js';
import { CLUSTER_JOB_KIND } from '../../store/rows.js';
import { jobLeases, JobRunner, type JobContext, type JobSchedule } from '../jobs/job-runner.js';

/** Starts, reads, lists and deletes clusterings; owns the background jobs of this process. */
export class ClusteringService {
  private readonly jobs: JobRunner<ClusteringPatch>;

  constructor(private readonly store: Store, private readonly logger: Logger, schedule: JobSchedule = {}) {
    this.jobs = new JobRunner<ClusteringPatch>({
      ...schedule,
      records: {
        update: (id, patch) => store.updateClustering(id, patch),
        failStale: (before, error) => store.failStaleClusterings(before, error),
        ...jobLeases(store, CLUSTER_JOB_KIND),
      },
      wording: { noun: 'clustering', doing: 'clustering', rerun: 'clusterCollection' },
      logger,
    });
  }

  /** Checks the request and queues the job; resolves with the PENDING clustering. */
  async start(collection: CollectionRow, input: ClusterInput): Promise<ClusteringRow> {
    const checked = await checkClustering(this.store, collection, input);
    const row = await this.store.createClustering({ id: randomUUID(), collectionKey: collection.key, params: checked.params });
    void this.jobs.submit({ id: row.id, collectionKey: collection.key }, (job) => this.execute(collection, row, checked.documents, job));
    return row;
  }

  get(id: string): Promise<ClusteringRow | null> {
    return this.store.getClustering(id);
  }

  list(collection: CollectionRow, page: PageRequest): Promise<ClusteringRow[]> {
    return this.store.listClusterings(collection.key, page);
  }

  count(collection: CollectionRow): Promise<number> {
    return this.store.countClusterings(collection.key);
  }

  /** Clusters per clustering key, in key order (batch-first: one read for many clusterings). */
  clusters(clusteringKeys: readonly number[]): Promise<ClusterRow[][]> {
    return this.store.getClusters([...clusteringKeys]);
  }

  /** One page of the live documents of a cluster and those merged into it (`members`) and, lazily, how many there are. */
  async documents(clusteringKey: number, members: readonly number[], page: PageRequest): Promise<{ rows: DocumentRow[]; total: () => Promise<number> }> {
    const rows = await this.store.listClusterDocuments(clusteringKey, members, page);
    return { rows, total: () => this.store.countClusterDocuments(clusteringKey, members) };
  }

  /** Cancels the job if this process runs it, then deletes the clustering; false when absent. */
  async delete(id: string): Promise<boolean> {
    this.jobs.cancel(id);
    return this.store.deleteClustering(id);
  }

  /** Cancels this process's jobs on a deleted collection (their rows went with it). */
  cancelCollection(collection: CollectionRow): void {
    this.jobs.cancelCollection(collection.key);
  }

  /** Cancels this process's jobs and records them FAILED. */
  close(): Promise<void> {
    return this.jobs.close();
  }

  private async execute(collection: CollectionRow, row: ClusteringRow, expected: number, job: JobContext<ClusteringPatch>): Promise<void> {
    const started = Date.now();
    const outcome = await computeClustering(this.store, collection, row, { expected, signal: job.signal, report: job.report });
    await job.flush();
    if (job.signal.aborted) return;
    const stored = await this.store.finishClustering(row.id, outcome);
    this.logger.info({ clustering: row.id, k: outcome.k, documents: outcome.documentKeys.length, seconds: (Date.now() - started) / 1000, stored }, 'clustering finished');
  }
}
