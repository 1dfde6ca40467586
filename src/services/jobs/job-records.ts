/**
 * Where the job runner (job-runner.ts) records a kind of job: its state (`update`), its stale sweep
 * (`failStale`) and its lease (`claim`, `renew`, `claimFree`). The runner reaches the store only
 * through these, so the owner of a job may be another process on the same store.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { JobRow, JobRowPatch, Store } from '../../store/types.js';
import type { JobPatch } from './progress.js';

/**
 * Where one kind of job is recorded. `update` writes a job's state (an empty patch only refreshes
 * the row's updatedAt: the heartbeat) and ignores a row that is gone; `failStale` marks FAILED the
 * unfinished jobs whose row was last refreshed before `staleBefore` and whose lease does not hold,
 * and returns their ids. `claim`, `renew` and `claimFree` are the job's lease (JobLeases).
 */
export interface JobRecords<P extends JobPatch> extends JobLeases {
  update(id: string, patch: P): Promise<void>;
  failStale(staleBefore: Date, error: string): Promise<string[]>;
}

/**
 * The leases of a kind's job rows: `claim` takes the job `id` for `owner` until `leaseUntil` if
 * nobody holds it (never claimed, or its lease ended) and says whether it did; `renew` sets the
 * leases of `owner`'s unfinished jobs to `leaseUntil` (a past time releases them) and resolves with
 * the ids it renewed: a job of `owner` missing from them was deleted, finished or taken over.
 */
export interface JobLeases {
  claim(id: string, owner: string, leaseUntil: Date): Promise<boolean>;
  renew(owner: string, leaseUntil: Date): Promise<string[]>;
  /** Claims up to `limit` jobs of the kind that nobody holds at `now` (for takeover), oldest first. */
  claimFree(owner: string, leaseUntil: Date, limit: number, now: Date): Promise<JobRow[]>;
}

/** The leases of the jobs of `kind` in the store's jobs table (every kind has its row there). */
export function jobLeases(store: Store, kind: string): JobLeases {
  return {
    claim: async (id, owner, leaseUntil) => (await store.claimJobs({ kind, owner, now: new Date(), leaseUntil, limit: 1, id })).length > 0,
    renew: (owner, leaseUntil) => store.renewJobLeases(owner, leaseUntil),
    claimFree: (owner, leaseUntil, limit, now) => store.claimJobs({ kind, owner, now, leaseUntil, limit }),
  };
}

/** The job rows of `kind` in the store's jobs table (kinds with no table of their own). */
export function jobRecords(store: Store, kind: string): JobRecords<JobRowPatch> {
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
