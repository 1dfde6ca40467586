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
  createdAt: Date;
  updatedAt: Date;
}

/** The jobs of a store. */
export interface JobStore {
  /** Stores a PENDING job at progress 0. */
  createJob(job: { id: string; kind: string; collectionKey: number | null; params: Record<string, unknown> }): Promise<JobRow>;
  /** Applies `patch` and bumps updatedAt; a job that no longer exists (collection deleted) is ignored. */
  updateJob(id: string, patch: Partial<Pick<JobRow, 'status' | 'progress' | 'result' | 'error'>>): Promise<void>;
  getJob(id: string): Promise<JobRow | null>;
  /**
   * Marks PENDING/RUNNING jobs of `kind` last updated before `staleBefore` FAILED with `error`
   * (the process running them died without a heartbeat). Returns their ids.
   */
  failStaleJobs(kind: string, staleBefore: Date, error: string): Promise<string[]>;
}

/** The methods of JobStore (the binder's list; the compiler keeps it complete). */
export const JOB_METHODS: Record<keyof JobStore, true> = {
  createJob: true, updateJob: true, getJob: true, failStaleJobs: true,
};
