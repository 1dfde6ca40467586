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
 * - each runner has an owner id (`owner`: host, pid and a random part, unless given) and holds a
 *   lease of `staleMs` on each job it owns: a job created with `newClaim()` is held from its
 *   creation; `submit` claims any other (owner, lease, attempts + 1) and runs it only if the claim
 *   took (another process may have claimed it first);
 * - every `heartbeatMs` the runner renews the leases of the jobs it owns and refreshes their rows
 *   (an empty update bumps the row's updatedAt). An owned job whose lease the renewal no longer
 *   finds (its row deleted by another process, finished or taken over elsewhere) is cancelled here:
 *   that is how `deleteClustering` on one process stops the work on another, within `heartbeatMs`;
 * - with `resume`, the heartbeat also takes over, up to its free slots, the jobs of its kind that
 *   nobody holds (never claimed, or whose owner's lease ended: it stopped renewing) and runs them
 *   again from their start, with the work `resume` builds from the stored row (attempts + 1); a job
 *   claimed more than `maxAttempts` times is recorded FAILED instead. With `soleProcess` (SQLite:
 *   one process per data directory) every lease granted before this runner started belonged to a
 *   process that is gone, so its jobs are taken over at once, not when the lease ends;
 * - without `resume`, the heartbeat instead sweeps to FAILED the unfinished jobs of its kind that
 *   nobody refreshed for `staleMs` and whose lease ended: their owner stopped without `close`;
 * - `close` cancels the owned jobs and waits for their work to return; with `resume` it releases
 *   their leases, so another process (or this one's next start) takes them over at once, else it
 *   records them FAILED (fail-on-stop), so no row is left RUNNING by a server that stopped.
 */
import { isAppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { JobLease, JobRow } from '../../store/types.js';
import { JobQueue } from './job-queue.js';
import { newJobOwner, type JobRecords } from './job-records.js';
import { progressWriter, type JobPatch, type JobReport } from './progress.js';

export type { JobPatch, JobReport } from './progress.js';

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
  /** How often owned jobs' leases are renewed and their rows refreshed, and free jobs taken over (default 15 s). */
  heartbeatMs?: number;
  /** A lease lasts this long past its last renewal; without `resume`, an unfinished job not refreshed for this long is FAILED by the sweep (default 120 s). */
  staleMs?: number;
  /** The owner id recorded on the jobs this runner claims (default: newJobOwner()). */
  owner?: string;
  /** Most claims of one job: a takeover past it records the job FAILED instead of running it again (default 3). */
  maxAttempts?: number;
  /** This process is the only one on the store (SQLite): leases granted before this runner started are not waited for. */
  soleProcess?: boolean;
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

/** A job this process owns: its id, the collection it works on (null for none) and the row's owner when it was created claimed. */
export interface OwnedJob {
  id: string;
  collectionKey: number | null;
  owner?: string | null;
}

/** An owned job's entry: `claimed` once its lease is this runner's. */
interface Owned {
  collectionKey: number | null;
  abort: AbortController;
  claimed: boolean;
}

/** Why a job's work was aborted (logged when it stops). */
const LEASE_LOST = 'its lease is gone: the job was deleted, or finished or taken over by another process';

/** Runs, renews, takes over, cancels and sweeps the jobs of one kind; see the file comment. */
export class JobRunner<P extends JobPatch> {
  private readonly owned = new Map<string, Owned>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly queue: JobQueue;
  private readonly concurrency: number;
  private readonly resume: JobRunnerOptions<P>['resume'];
  private readonly records: JobRecords<P>;
  private readonly wording: JobWording;
  private readonly logger: Logger;
  private readonly staleMs: number;
  private readonly maxAttempts: number;
  private readonly soleProcess: boolean;
  private readonly startedAt = Date.now();
  /** The owner id recorded on the rows of the jobs this runner claims. */
  readonly owner: string;
  private readonly timer: NodeJS.Timeout;
  /** Claims by id and takeovers run one at a time, so a heartbeat's takeover never races a submit's claim. */
  private claiming: Promise<unknown> = Promise.resolve();
  private ticking = false;
  private closed = false;

  constructor(opts: JobRunnerOptions<P>) {
    this.records = opts.records;
    this.wording = opts.wording;
    this.logger = opts.logger;
    this.concurrency = opts.concurrency ?? 1;
    this.queue = new JobQueue(this.concurrency);
    this.resume = opts.resume;
    this.staleMs = opts.staleMs ?? 120_000;
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.soleProcess = opts.soleProcess ?? false;
    this.owner = opts.owner ?? newJobOwner();
    this.timer = setInterval(() => void this.tick(), opts.heartbeatMs ?? 15_000);
    this.timer.unref();
    void this.tick();
  }

  /** Ids of the jobs this process owns (queued or running). */
  get ownedIds(): string[] {
    return [...this.owned.keys()];
  }

  /** The lease to create a job with (createJob's `claim`): held by this runner from its creation, attempts 1. */
  newClaim(): JobLease {
    return { owner: this.owner, leaseUntil: this.leaseEnd() };
  }

  /**
   * Queues the work of a stored PENDING job: one created with `newClaim()` is already this
   * runner's, any other is claimed first (its owner and lease) and left to another owner that
   * holds it. The returned promise settles (never rejects) once the job has run, failed, been
   * cancelled or not been claimed; callers need not wait for it.
   */
  submit(job: OwnedJob, work: JobWork<P>): Promise<void> {
    if (this.closed) return this.records.update(job.id, this.failed(this.stoppedMessage())).catch(() => {});
    return this.track(job, work, job.owner === this.owner ? Promise.resolve(true) : this.claim(job.id));
  }

  /** Owns `job` and runs its work once `claimed` says the claim took. */
  private track(job: OwnedJob, work: JobWork<P>, claimed: Promise<boolean>): Promise<void> {
    const entry: Owned = { collectionKey: job.collectionKey, abort: new AbortController(), claimed: false };
    this.owned.set(job.id, entry);
    const task: Promise<void> = claimed.then((ok) => {
      if (!ok) return;
      entry.claimed = true;
      return this.queue.run(() => this.execute(job.id, entry.abort.signal, work));
    }).finally(() => {
      this.owned.delete(job.id);
      this.tasks.delete(task);
    });
    this.tasks.add(task);
    return task;
  }

  /** Cancels the job if this process owns it; its row is left to the caller. */
  cancel(id: string): void {
    this.owned.get(id)?.abort.abort('cancelled on this process');
  }

  /** Cancels this process's jobs on a collection (deleted: their rows went with it). */
  cancelCollection(collectionKey: number): void {
    for (const job of this.owned.values()) if (job.collectionKey === collectionKey) job.abort.abort('its collection was deleted');
  }

  /**
   * Stops the heartbeat, cancels the owned jobs and waits for their work; then releases their
   * leases for takeover (with `resume`) or records them FAILED.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const ids = this.ownedIds;
    for (const job of this.owned.values()) job.abort.abort('the server is stopping');
    await Promise.allSettled([...this.tasks]);
    if (this.resume) {
      const released = await this.records.renew(this.owner, new Date(0)).catch(() => []);
      if (released.length) this.logger.info({ jobs: released }, `released ${this.wording.noun} jobs for another process to take over`);
      return;
    }
    const stopped = this.failed(this.stoppedMessage());
    for (const id of ids) await this.records.update(id, stopped).catch(() => {});
  }

  /** Runs `fn` after every claim before it (see `claiming`). */
  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.claiming.then(fn);
    this.claiming = next.catch(() => {});
    return next;
  }

  /** Claims the job for this runner; a failed claim is recorded FAILED (the job cannot run). */
  private claim(id: string): Promise<boolean> {
    return this.serially(async () => {
      // this runner's own heartbeat took it over first
      if (this.owned.get(id)?.claimed) return true;
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
    });
  }

  /** Renews the leases of the claimed jobs; one the renewal did not find is cancelled here. */
  private async renew(): Promise<void> {
    const held = [...this.owned].filter(([, job]) => job.claimed && !job.abort.signal.aborted);
    if (held.length === 0) return;
    const renewed = new Set(await this.records.renew(this.owner, this.leaseEnd()));
    for (const [id, job] of held) {
      // gone from `owned`: it finished while the renewal ran
      if (renewed.has(id) || this.owned.get(id) !== job) continue;
      this.logger.warn({ job: id }, `stopping a ${this.wording.noun} here: ${LEASE_LOST}`);
      job.abort.abort(LEASE_LOST);
    }
  }

  /** Claims the free jobs of this kind, up to the free slots, and runs them again. */
  private async takeOver(resume: NonNullable<JobRunnerOptions<P>['resume']>): Promise<void> {
    const free = this.concurrency - this.owned.size;
    if (free <= 0 || this.closed) return;
    const { noun, rerun } = this.wording;
    // a sole process's own leases all end after startedAt + staleMs; every earlier one is a dead process's
    const now = new Date(this.soleProcess ? Math.max(Date.now(), this.startedAt + this.staleMs) : Date.now());
    const rows = await this.serially(async () => {
      const claimed = await this.records.claimFree(this.owner, this.leaseEnd(), free, now);
      // already this runner's (its submit's claim still queued, or its lease let lapse): the claim renewed it
      for (const row of claimed) {
        const mine = this.owned.get(row.id);
        if (mine) mine.claimed = true;
      }
      return claimed.filter((row) => !this.owned.has(row.id));
    });
    for (const row of rows) {
      if (row.attempts > this.maxAttempts) {
        const message = `this ${noun} was stopped ${this.maxAttempts} times before it finished (its server stopped each time); run ${rerun} again`;
        await this.records.update(row.id, this.failed(message)).catch(() => {});
        continue;
      }
      let resumed: ResumedJob<P> | null = null;
      try {
        resumed = await resume(row);
      } catch (err) {
        this.logger.error({ err, job: row.id }, `could not resume a ${noun}`);
      }
      // closing: close releases the lease (or it ends), and the job is taken over elsewhere
      if (this.closed) continue;
      if (!resumed) {
        await this.records.update(row.id, this.failed(`this ${noun} could not be resumed after its server stopped; run ${rerun} again`)).catch(() => {});
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
      if (!signal.aborted) {
        if (!isAppError(error)) this.logger.error({ err: error, job: id }, `${noun} failed`);
        const message = isAppError(error) ? error.message : `internal error while ${doing}; the server log has the details (${noun} ${id})`;
        await this.records.update(id, this.failed(message))
          .catch((err: unknown) => this.logger.error({ err, job: id }, `could not record a failed ${noun}`));
      }
    }
    // cancelled (deleted, collection deleted, lease lost, server stopping): whoever cancelled records the state
    if (signal.aborted) this.logger.info({ job: id, reason: String(signal.reason) }, `stopped a cancelled ${noun}`);
  }

  /** Heartbeat: the owned jobs' leases and rows, then takeover of free jobs (with resume) or the sweep of stale ones. */
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.renew();
      if (this.resume) await this.takeOver(this.resume);
      for (const id of this.owned.keys()) await this.records.update(id, {} as P);
      if (!this.resume) await this.sweep();
    } catch (err) {
      this.logger.warn({ err }, `${this.wording.noun} heartbeat failed`);
    } finally {
      this.ticking = false;
    }
  }

  /** Fails the unfinished jobs of this kind (any process's) not refreshed for staleMs and whose lease ended. */
  private async sweep(): Promise<void> {
    const { noun, rerun } = this.wording;
    const seconds = Math.round(this.staleMs / 1000);
    const error = `the server running this ${noun} stopped (no progress for ${seconds} s); run ${rerun} again`;
    const failed = await this.records.failStale(new Date(Date.now() - this.staleMs), error);
    if (failed.length) this.logger.warn({ jobs: failed }, `failed stale ${noun} jobs`);
  }

  private stoppedMessage(): string {
    return `the server stopped before this ${this.wording.noun} finished; run ${this.wording.rerun} again`;
  }

  private failed(error: string): P {
    return { status: 'FAILED', error } as P;
  }
}
