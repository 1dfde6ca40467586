/**
 * Clustering as a server-side job. `start` checks the request, stores a PENDING clustering with
 * its job (held by this process's runner from its creation) and returns at once; the work
 * (job.ts) runs in the background on the job runner (services/jobs/job-runner.ts): at most
 * `concurrency` at a time, progress stored as it goes, failures stored as FAILED with a message
 * safe to show, leases renewed. A clustering whose process stopped is taken over by another
 * process (or this one's next start on SQLite) and computed again from its stored row
 * (collection, filter, k, seed, restarts), which gives the same result as an uninterrupted run.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { ClusteringPatch, ClusteringRow, ClusterRow, CollectionRow, DocumentRow, JobRow, PageRequest, Store } from '../../store/types.js';
import { computeClustering } from './job.js';
import { checkClustering, type ClusterInput } from './params.js';
import { CLUSTER_JOB_KIND } from '../../store/rows.js';
import { parseFilter } from '../filter.js';
import { jobLeases } from '../jobs/job-records.js';
import { JobRunner, type JobContext, type JobSchedule, type ResumedJob } from '../jobs/job-runner.js';

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
      resume: (job) => this.resume(job),
      wording: { noun: 'clustering', doing: 'clustering', rerun: 'clusterCollection' },
      logger,
    });
  }

  /** Checks the request and queues the job; resolves with the PENDING clustering. */
  async start(collection: CollectionRow, input: ClusterInput): Promise<ClusteringRow> {
    const checked = await checkClustering(this.store, collection, input);
    const claim = this.jobs.newClaim();
    const row = await this.store.createClustering({ id: randomUUID(), collectionKey: collection.key, params: checked.params, claim });
    void this.jobs.submit({ id: row.id, collectionKey: collection.key, owner: claim.owner }, (job) => this.execute(collection, row, checked.documents, job));
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

  /**
   * Cancels the job if this process runs it, then deletes the clustering; false when absent. The
   * process that runs it, if another, stops it at its next lease renewal (it no longer finds the row).
   */
  async delete(id: string): Promise<boolean> {
    this.jobs.cancel(id);
    return this.store.deleteClustering(id);
  }

  /** Cancels this process's jobs on a deleted collection (their rows went with it). */
  cancelCollection(collection: CollectionRow): void {
    this.jobs.cancelCollection(collection.key);
  }

  /** Cancels this process's jobs and releases them for another process (or the next start) to take over. */
  close(): Promise<void> {
    return this.jobs.close();
  }

  /** The work of a clustering taken over, rebuilt from its stored row; null when its row or collection is gone. */
  private async resume(job: JobRow): Promise<ResumedJob<ClusteringPatch> | null> {
    const row = await this.store.getClustering(job.id);
    const collection = row && (await this.store.getCollection(row.collectionName));
    if (!row || collection?.key !== row.collectionKey) return null;
    // claimed: the clustering row is fresh again too
    await this.store.updateClustering(row.id, {});
    const expected = await this.store.countDocuments(collection.key, parseFilter(row.filter));
    return { collectionKey: collection.key, work: (ctx) => this.execute(collection, row, expected, ctx) };
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
