/**
 * Clustering as a server-side job. `start` checks the request, stores a PENDING clustering with
 * its job and returns at once; the work (job.ts) runs in the background, at most
 * `concurrency` at a time, reporting progress to the store. Failures are stored as FAILED with a
 * message safe to show. While this process owns a job it refreshes its updatedAt (heartbeat);
 * every process sweeps unfinished clusterings nobody refreshed for `staleMs` to FAILED, so a
 * crash never leaves a job RUNNING forever (also with several replicas on one PostgreSQL).
 */
import { randomUUID } from 'node:crypto';
import { isAppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ClusteringRow, ClusterRow, CollectionRow, DocumentRow, PageRequest, Store } from '../../store/types.js';
import { computeClustering } from './job.js';
import { checkClustering, type ClusterInput } from './params.js';
import { progressReporter } from './progress.js';
import { JobQueue } from '../jobs/job-queue.js';

/** Scheduling settings of clustering jobs. */
export interface ClusteringJobOptions {
  /** Clusterings computed at once by this process (default 1; k-means itself uses 2 threads). */
  concurrency?: number;
  /** How often owned jobs are refreshed and stale ones swept (default 15 s). */
  heartbeatMs?: number;
  /** An unfinished clustering not refreshed for this long is FAILED (default 120 s). */
  staleMs?: number;
}

const STOPPED = 'the server stopped before this clustering finished; run clusterCollection again';
const stale = (ms: number) => `the server running this clustering stopped (no progress for ${Math.round(ms / 1000)} s); run clusterCollection again`;

/** Starts, reads, lists and deletes clusterings; owns the background jobs of this process. */
export class ClusteringService {
  private readonly owned = new Map<string, { collectionKey: number; abort: AbortController }>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly queue: JobQueue;
  private readonly staleMs: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly store: Store, private readonly logger: Logger, opts: ClusteringJobOptions = {}) {
    this.queue = new JobQueue(opts.concurrency ?? 1);
    this.staleMs = opts.staleMs ?? 120_000;
    this.timer = setInterval(() => void this.tick(), opts.heartbeatMs ?? 15_000);
    this.timer.unref();
    void this.tick();
  }

  /** Checks the request and queues the job; resolves with the PENDING clustering. */
  async start(collection: CollectionRow, input: ClusterInput): Promise<ClusteringRow> {
    const checked = await checkClustering(this.store, collection, input);
    const row = await this.store.createClustering({ id: randomUUID(), collectionKey: collection.key, params: checked.params });
    const abort = new AbortController();
    this.owned.set(row.id, { collectionKey: collection.key, abort });
    const task: Promise<void> = this.queue
      .run(() => this.execute(collection, row, checked.documents, abort.signal))
      .finally(() => {
        this.owned.delete(row.id);
        this.tasks.delete(task);
      });
    this.tasks.add(task);
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

  /** One page of a cluster's live documents and, lazily, how many there are. */
  async documents(clusteringKey: number, cluster: number, page: PageRequest): Promise<{ rows: DocumentRow[]; total: () => Promise<number> }> {
    const rows = await this.store.listClusterDocuments(clusteringKey, cluster, page);
    return { rows, total: () => this.store.countClusterDocuments(clusteringKey, cluster) };
  }

  /** Cancels the job if this process runs it, then deletes the clustering; false when absent. */
  async delete(id: string): Promise<boolean> {
    this.owned.get(id)?.abort.abort();
    return this.store.deleteClustering(id);
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
    for (const id of ids) await this.store.updateClustering(id, { status: 'FAILED', error: STOPPED }).catch(() => {});
  }

  private async execute(collection: CollectionRow, row: ClusteringRow, expected: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const started = Date.now();
    const progress = progressReporter(this.store, row.id, this.logger);
    try {
      progress.report(0, { status: 'RUNNING' });
      const outcome = await computeClustering(this.store, collection, row, { expected, signal, report: progress.report });
      await progress.flush();
      if (signal.aborted) return;
      const stored = await this.store.finishClustering(row.id, outcome);
      this.logger.info({ clustering: row.id, k: outcome.k, documents: outcome.documentKeys.length, seconds: (Date.now() - started) / 1000, stored }, 'clustering finished');
    } catch (error) {
      await progress.flush();
      // Cancelled (deleted, collection deleted, server stopping): whoever cancelled records the state.
      if (signal.aborted) return;
      if (!isAppError(error)) this.logger.error({ err: error, clustering: row.id }, 'clustering failed');
      const message = isAppError(error) ? error.message : `internal error while clustering; the server log has the details (clustering ${row.id})`;
      await this.store.updateClustering(row.id, { status: 'FAILED', error: message })
        .catch((err: unknown) => this.logger.error({ err, clustering: row.id }, 'could not record a failed clustering'));
    }
  }

  /** Heartbeat of the owned jobs, then the sweep of stale ones. */
  private async tick(): Promise<void> {
    try {
      for (const id of this.owned.keys()) await this.store.updateClustering(id, {});
      const failed = await this.store.failStaleClusterings(new Date(Date.now() - this.staleMs), stale(this.staleMs));
      if (failed.length) this.logger.warn({ clusterings: failed }, 'failed stale clusterings');
    } catch (err) {
      this.logger.warn({ err }, 'clustering heartbeat failed');
    }
  }
}
