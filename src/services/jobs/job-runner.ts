/**
 * The one runner of background jobs (clusterings, classifyDocuments). A job is a row in the store
 * (PENDING → RUNNING → SUCCEEDED | FAILED) and, while this process owns it, an entry here:
 *
 * - owned jobs run at most `concurrency` at a time (job-queue.ts), PENDING until a slot is free;
 * - their work gets an AbortSignal, a throttled progress reporter and ordered writes (progress.ts);
 *   the runner stores RUNNING when the work starts and FAILED, with a message safe to show, when
 *   it throws (an AppError's message, else a pointer to the server log);
 * - cancellation (`cancel`, `cancelCollection`) aborts the work; whoever cancels records the state
 *   (deleting the row, usually), the runner writes nothing more for an aborted job;
 * - each runner has an owner id (`owner`: host, pid and a random part, unless given); `submit`
 *   claims the job's row for it (owner, a lease of `staleMs`, attempts + 1) and runs it only if
 *   the claim took (another process may have claimed it first);
 * - with `resume`, the heartbeat also takes over, up to its free slots, the jobs of its kind that
 *   nobody holds (never claimed, or whose owner's lease ended: it stopped renewing) and runs them
 *   again from their start, with the work `resume` builds from the stored row (attempts + 1);
 * - every `heartbeatMs` the runner renews the leases of the jobs it owns, refreshes their rows (an
 *   empty update bumps the row's updatedAt) and sweeps the unfinished jobs of its kind that nobody
 *   refreshed for `staleMs` to FAILED: their owner stopped (crashed, killed) without `close`;
 * - `close` cancels the owned jobs, waits for their work to return and records them FAILED
 *   (fail-on-stop), so no row is left RUNNING by a server that stopped.
 *
 * The runner reaches the store only through `JobRecords`, so the owner of a job may be another
 * process on the same store: each process's sweep looks at every row of the kind, not only its own.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { isAppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { JobRow, Store } from '../../store/types.js';
import { JobQueue } from './job-queue.js';
import { progressWriter, type JobPatch, type JobReport } from './progress.js';

export type { JobPatch, JobReport } from './progress.js';

/**
 * Where one kind of job is recorded. `update` writes a job's state (an empty patch only refreshes
 * the row's updatedAt: the heartbeat) and ignores a row that is gone; `failStale` marks FAILED the
 * unfinished jobs whose row was last refreshed before `staleBefore` and returns their ids.
 * `claim` and `renew` are the job's lease (JobLeases).
 */
export interface JobRecords<P extends JobPatch> extends JobLeases {
  update(id: string, patch: P): Promise<void>;
  failStale(staleBefore: Date, error: string): Promise<string[]>;
}

/**
 * The leases of a kind's job rows: `claim` takes the job `id` for `owner` until `leaseUntil` if
 * nobody holds it (never claimed, or its lease ended) and says whether it did; `renew` extends the
 * leases of `owner`'s unfinished jobs.
 */
export interface JobLeases {
  claim(id: string, owner: string, leaseUntil: Date): Promise<boolean>;
  renew(owner: string, leaseUntil: Date): Promise<void>;
  /** Claims up to `limit` jobs of the kind that nobody holds (for takeover), oldest first. */
  claimFree(owner: string, leaseUntil: Date, limit: number): Promise<JobRow[]>;
}

/** The leases of the jobs of `kind` in the store's jobs table (every kind has its row there). */
export function jobLeases(store: Store, kind: string): JobLeases {
  return {
    claim: async (id, owner, leaseUntil) => (await store.claimJobs({ kind, owner, now: new Date(), leaseUntil, limit: 1, id })).length > 0,
    renew: async (owner, leaseUntil) => {
      await store.renewJobLeases(owner, leaseUntil);
    },
    claimFree: (owner, leaseUntil, limit) => store.claimJobs({ kind, owner, now: new Date(), leaseUntil, limit }),
  };
}

/** The job rows of `kind` in the store's jobs table (kinds with no table of their own). */
export function jobRecords(store: Store, kind: string): JobRecords<Partial<Pick<JobRow, 'status' | 'progress' | 'result' | 'error'>>> {
  return {
    update: (id, patch) => store.updateJob(id, patch),
    failStale: (staleBefore, error) => store.failStaleJobs(kind, staleBefore, error),
    ...jobLeases(store, kind),
  };
}

/** A fresh owner id for this process's runners: "<host>:<pid>:<random>". */
export function newJobOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** How a kind's jobs are named in stored messages: "internal error while <doing>", "run <rerun> again". */
export interface JobWording {
  /** What one job is called: "clustering". */
  noun: string;
  /** What it does: "clustering", "classifying". */
  doing: string;
  /** The mutation that starts one: "clusterCollection". */
  rerun: string;
}

/** Scheduling of a kind's jobs. */
export interface JobSchedule {
  /** Jobs of this kind run at once by this process (default 1). */
  concurrency?: number;
  /** How often owned jobs are refreshed and stale ones swept (default 15 s). */
  heartbeatMs?: number;
  /** An unfinished job not refreshed for this long is FAILED by the sweep, and a lease lasts this long (default 120 s). */
  staleMs?: number;
  /** The owner id recorded on the jobs this runner claims (default: newJobOwner()). */
  owner?: string;
}

export interface JobRunnerOptions<P extends JobPatch> extends JobSchedule {
  records: JobRecords<P>;
  /**
   * Rebuilds the work of a job this runner took over (its stored row; the job runs again from its
   * start); null when it cannot run any more (recorded FAILED). Without it, no job is taken over.
   */
  resume?: (job: JobRow) => Promise<ResumedJob<P> | null>;
  wording: JobWording;
  logger: Logger;
}

/** What a job's work is handed. */
export interface JobContext<P extends JobPatch> {
  id: string;
  /** Fires when the job is cancelled or the runner closes; the work should return soon after. */
  signal: AbortSignal;
  /** Throttled progress (never backwards, below 1) with state worth storing at once. */
  report: JobReport<P>;
  /** Writes `patch` after every earlier write (a final state, say) and resolves once it landed. */
  update(patch: P): Promise<void>;
  /** Resolves once every write so far has landed. */
  flush(): Promise<void>;
}

/** The work of one job; it stores the job's result itself (its own final write). */
export type JobWork<P extends JobPatch> = (ctx: JobContext<P>) => Promise<void>;

/** A job taken over: the collection it works on and its work. */
export interface ResumedJob<P extends JobPatch> {
  collectionKey: number | null;
  work: JobWork<P>;
}

/** A job this process owns: its id and the collection it works on (null for none). */
export interface OwnedJob {
  id: string;
  collectionKey: number | null;
}

/** Runs, refreshes, cancels and sweeps the jobs of one kind; see the file comment. */
export class JobRunner<P extends JobPatch> {
  private readonly owned = new Map<string, { collectionKey: number | null; abort: AbortController }>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly queue: JobQueue;
  private readonly concurrency: number;
  private readonly resume: JobRunnerOptions<P>['resume'];
  private readonly records: JobRecords<P>;
  private readonly wording: JobWording;
  private readonly logger: Logger;
  private readonly staleMs: number;
  /** The owner id recorded on the rows of the jobs this runner claims. */
  readonly owner: string;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(opts: JobRunnerOptions<P>) {
    this.records = opts.records;
    this.wording = opts.wording;
    this.logger = opts.logger;
    this.concurrency = opts.concurrency ?? 1;
    this.queue = new JobQueue(this.concurrency);
    this.resume = opts.resume;
    this.staleMs = opts.staleMs ?? 120_000;
    this.owner = opts.owner ?? newJobOwner();
    this.timer = setInterval(() => void this.tick(), opts.heartbeatMs ?? 15_000);
    this.timer.unref();
    void this.tick();
  }

  /** Ids of the jobs this process owns (queued or running). */
  get ownedIds(): string[] {
    return [...this.owned.keys()];
  }

  /**
   * Claims the stored PENDING job (its owner and lease) and queues its work; a job another owner
   * holds is left to it. The returned promise settles (never rejects) once the job has run, failed,
   * been cancelled or not been claimed; callers need not wait for it.
   */
  submit(job: OwnedJob, work: JobWork<P>): Promise<void> {
    if (this.closed) return this.records.update(job.id, this.failed(this.stoppedMessage())).catch(() => {});
    return this.track(job, work, this.claim(job.id));
  }

  /** Owns `job` and runs its work once `claimed` says the claim took. */
  private track(job: OwnedJob, work: JobWork<P>, claimed: Promise<boolean>): Promise<void> {
    const abort = new AbortController();
    this.owned.set(job.id, { collectionKey: job.collectionKey, abort });
    const task: Promise<void> = claimed.then((ok) => {
      if (ok) return this.queue.run(() => this.execute(job.id, abort.signal, work));
    }).finally(() => {
      this.owned.delete(job.id);
      this.tasks.delete(task);
    });
    this.tasks.add(task);
    return task;
  }

  /** Cancels the job if this process owns it; its row is left to the caller. */
  cancel(id: string): void {
    this.owned.get(id)?.abort.abort();
  }

  /** Cancels this process's jobs on a collection (deleted: their rows went with it). */
  cancelCollection(collectionKey: number): void {
    for (const job of this.owned.values()) if (job.collectionKey === collectionKey) job.abort.abort();
  }

  /** Stops the heartbeat, cancels the owned jobs, waits for their work and records them FAILED. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const ids = this.ownedIds;
    for (const job of this.owned.values()) job.abort.abort();
    await Promise.allSettled([...this.tasks]);
    const stopped = this.failed(this.stoppedMessage());
    for (const id of ids) await this.records.update(id, stopped).catch(() => {});
  }

  /** Claims the job for this runner; a failed claim is recorded FAILED (the job cannot run). */
  private async claim(id: string): Promise<boolean> {
    try {
      if (await this.records.claim(id, this.owner, this.leaseEnd())) return true;
      this.logger.info({ job: id, owner: this.owner }, `${this.wording.noun} already claimed by another owner`);
      return false;
    } catch (err) {
      this.logger.error({ err, job: id }, `could not claim a ${this.wording.noun}`);
      const message = `internal error while claiming this ${this.wording.noun}; the server log has the details (${this.wording.noun} ${id})`;
      await this.records.update(id, this.failed(message)).catch(() => {});
      return false;
    }
  }

  /** Claims the free jobs of this kind, up to the free slots, and runs them again. */
  private async takeOver(resume: NonNullable<JobRunnerOptions<P>['resume']>): Promise<void> {
    const free = this.concurrency - this.owned.size;
    if (free <= 0 || this.closed) return;
    const { noun } = this.wording;
    for (const row of await this.records.claimFree(this.owner, this.leaseEnd(), free)) {
      let resumed: ResumedJob<P> | null = null;
      try {
        resumed = await resume(row);
      } catch (err) {
        this.logger.error({ err, job: row.id }, `could not resume a ${noun}`);
      }
      if (!resumed || this.closed) {
        const message = this.closed ? this.stoppedMessage() : `this ${noun} could not be resumed after its server stopped; run ${this.wording.rerun} again`;
        await this.records.update(row.id, this.failed(message)).catch(() => {});
        continue;
      }
      this.logger.warn({ job: row.id, attempts: row.attempts }, `took over a ${noun} whose owner stopped`);
      void this.track({ id: row.id, collectionKey: resumed.collectionKey }, resumed.work, Promise.resolve(true));
    }
  }

  private leaseEnd(): Date {
    return new Date(Date.now() + this.staleMs);
  }

  private async execute(id: string, signal: AbortSignal, work: JobWork<P>): Promise<void> {
    if (signal.aborted) return;
    const { noun, doing } = this.wording;
    const writer = progressWriter<P>((patch) => this.records.update(id, patch), (err) => this.logger.warn({ err, job: id }, `could not store ${noun} progress`));
    try {
      writer.report(0, { status: 'RUNNING' } as P);
      await work({ id, signal, ...writer });
      await writer.flush();
    } catch (error) {
      await writer.flush();
      // cancelled (deleted, collection deleted, server stopping): whoever cancelled records the state
      if (signal.aborted) return;
      if (!isAppError(error)) this.logger.error({ err: error, job: id }, `${noun} failed`);
      const message = isAppError(error) ? error.message : `internal error while ${doing}; the server log has the details (${noun} ${id})`;
      await this.records.update(id, this.failed(message))
        .catch((err: unknown) => this.logger.error({ err, job: id }, `could not record a failed ${noun}`));
    }
  }

  /** Heartbeat of the owned jobs (their leases, their rows), then the sweep of stale ones (of any process). */
  private async tick(): Promise<void> {
    const { noun, rerun } = this.wording;
    try {
      if (this.owned.size) await this.records.renew(this.owner, this.leaseEnd());
      if (this.resume) await this.takeOver(this.resume);
      for (const id of this.owned.keys()) await this.records.update(id, {} as P);
      const seconds = Math.round(this.staleMs / 1000);
      const error = `the server running this ${noun} stopped (no progress for ${seconds} s); run ${rerun} again`;
      const failed = await this.records.failStale(new Date(Date.now() - this.staleMs), error);
      if (failed.length) this.logger.warn({ jobs: failed }, `failed stale ${noun} jobs`);
    } catch (err) {
      this.logger.warn({ err }, `${noun} heartbeat failed`);
    }
  }

  private stoppedMessage(): string {
    return `the server stopped before this ${this.wording.noun} finished; run ${this.wording.rerun} again`;
  }

  private failed(error: string): P {
    return { status: 'FAILED', error } as P;
  }
}
