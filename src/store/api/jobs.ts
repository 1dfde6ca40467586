/** Jobs: the stored state of background work (clusterings, classify runs), polled by clients by id. */

export type JobStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface JobRow {
  id: string;
  kind: string;
  collectionKey: number | null;
  status: JobStatus;
  progress: number;
  params: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  /** The process that last claimed the job (a JobRunner's owner id); null until claimed. */
  owner: string | null;
  /** Until when the owner holds the job: past it, another process may claim it again. */
  leaseUntil: Date | null;
  /** How many times the job was claimed (1 for a job run once). */
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What a job's updates change (JobStore.updateJob). */
export type JobRowPatch = Partial<Pick<JobRow, 'status' | 'progress' | 'result' | 'error'>>;

/** The jobs of a store. */
export interface JobStore {
  /** Stores a PENDING job at progress 0: unclaimed, or claimed by `claim` (attempts 1). */
  createJob(job: NewJob): Promise<JobRow>;
  /** Applies `patch` and bumps updatedAt; a job that no longer exists (collection deleted) is ignored. */
  updateJob(id: string, patch: JobRowPatch): Promise<void>;
  getJob(id: string): Promise<JobRow | null>;
  /**
   * Marks PENDING/RUNNING jobs of `kind` last updated before `staleBefore` FAILED with `error`
   * (the process running them died without a heartbeat), except those whose lease still holds (a
   * live owner renews it). Returns their ids.
   */
  failStaleJobs(kind: string, staleBefore: Date, error: string): Promise<string[]>;
  /**
   * Claims for `owner` up to `limit` PENDING/RUNNING jobs of `kind` (only the one with `id`, if
   * given) that nobody holds: never claimed, or whose lease ended before `now`. Each claimed row
   * gets owner, leaseUntil and attempts + 1, atomically: two processes never claim one job (rows
   * another transaction holds are skipped on PostgreSQL, FOR UPDATE SKIP LOCKED; SQLite claims in
   * one IMMEDIATE transaction). Returns the claimed jobs, oldest first.
   */
  claimJobs(claim: JobClaim): Promise<JobRow[]>;
  /**
   * Sets to `leaseUntil` the leases of `owner`'s PENDING/RUNNING jobs (no other's): a later time
   * renews them, a past one releases them to the next claim. Returns their ids.
   */
  renewJobLeases(owner: string, leaseUntil: Date): Promise<string[]>;
}

/** A job to create; with `claim`, its creator holds it from the start (no other process can claim it first). */
export interface NewJob {
  id: string;
  kind: string;
  collectionKey: number | null;
  params: Record<string, unknown>;
  claim?: JobLease;
}

/** Who holds a job and until when. */
export interface JobLease {
  owner: string;
  leaseUntil: Date;
}

/** What claimJobs claims, for whom and until when. */
export interface JobClaim {
  kind: string;
  owner: string;
  /** Leases that ended before this are expired. */
  now: Date;
  leaseUntil: Date;
  limit: number;
  /** Claims only this job. */
  id?: string;
}

/** The methods of JobStore (the binder's list; the compiler keeps it complete). */
export const JOB_METHODS: Record<keyof JobStore, true> = {
  createJob: true, updateJob: true, getJob: true, failStaleJobs: true, claimJobs: true, renewJobLeases: true,
};
