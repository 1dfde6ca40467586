/**
 * Progress of a running job, written to its row when it has moved by 2% or a second has passed,
 * never backwards and never 1 before the job's result is stored. Every write goes through one
 * chain, so they land in the order they were made (a final state never lands before a progress
 * write made earlier).
 */
import type { JobStatus } from '../../store/types.js';

/** The state every job row carries; a kind's patch may add its own fields (a clustering's k). */
export interface JobPatch {
  status?: JobStatus;
  progress?: number;
  error?: string | null;
}

/** How a job reports: the fraction done, and state worth storing now (k once known). */
export type JobReport<P extends JobPatch> = (fraction: number, patch?: P) => void;

/** Progress never reads 1 before the result is stored (the job's final write sets it). */
const MAX_RUNNING_PROGRESS = 0.99;

/** The writes of one job: throttled `report`, ordered `update`, and `flush` of both. */
export interface ProgressWriter<P extends JobPatch> {
  report: JobReport<P>;
  /** Writes `patch` after every earlier write; resolves once it landed, rejects if it failed. */
  update(patch: P): Promise<void>;
  /** Resolves once every write so far has landed (or failed). */
  flush(): Promise<void>;
}

/**
 * A progress writer over `write` (the job's row); a failed `report` write goes to `onError` and
 * does not stop the job.
 */
export function progressWriter<P extends JobPatch>(write: (patch: P) => Promise<void>, onError: (err: unknown) => void): ProgressWriter<P> {
  let last = 0;
  let lastAt = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const update = (patch: P): Promise<void> => {
    const landed = chain.then(() => write(patch));
    chain = landed.catch(() => {});
    return landed;
  };
  const report: JobReport<P> = (fraction, patch) => {
    const progress = Math.min(MAX_RUNNING_PROGRESS, Math.max(last, fraction));
    const now = Date.now();
    const worth = progress > last && (progress - last >= 0.02 || now - lastAt >= 1000);
    if (!patch && !worth) return;
    last = progress;
    lastAt = now;
    update({ ...patch, progress } as P).catch(onError);
  };
  return { report, update, flush: () => chain.then(() => {}) };
}
