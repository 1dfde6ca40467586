/**
 * The progress of a module migration as its job row carries it (`result`): documents done of the
 * total, embedding rate and time left, and the phase. Written at most once a second by the job
 * (and at each phase change), read by `Collection.migration` and `job(id)`.
 */
import type { ModuleBinding } from '../../store/types.js';

/** embedding: catching up; final: the last phase (writes carry the target's vectors too); swapped: the target serves; retraining: stale heads retrain; done. */
export type MigrationPhase = 'embedding' | 'final' | 'swapped' | 'retraining' | 'done';

/** What a migration job's row stores as its result while it runs and once it is done. */
export interface MigrationProgress {
  /** The module the collection is migrated to. */
  target: ModuleBinding;
  /** A revert (revertMigration) to the module bound before the last swap. */
  revert: boolean;
  phase: MigrationPhase;
  /** Live documents with a current vector of the target, of `total` live documents. */
  done: number;
  total: number;
  /** Documents embedded per second by this run of the job (null before its first batch). */
  rate: number | null;
  /** Seconds left at that rate (null when unknown). */
  eta: number | null;
  /** Classifier heads retrained after the swap: name and new version. */
  retrained: { name: string; version: number }[];
}

/** Tracks a run of the job: done/total, rate since it started, and when it last wrote. */
export class ProgressMeter {
  private readonly started = performance.now();
  private embedded = 0;
  private lastWrite = 0;

  constructor(public state: MigrationProgress) {}

  /** Counts `n` documents embedded and stored. */
  add(n: number): void {
    this.embedded += n;
    this.state = { ...this.state, done: Math.min(this.state.total, this.state.done + n) };
  }

  /** The state with rate and eta of now; `patch` applied. */
  now(patch: Partial<MigrationProgress> = {}): MigrationProgress {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = this.embedded > 0 && seconds > 0 ? this.embedded / seconds : null;
    const left = Math.max(0, this.state.total - this.state.done);
    this.state = { ...this.state, ...patch, rate, eta: rate ? left / rate : null };
    return this.state;
  }

  /** Whether a progress write is due (a second since the last one). */
  due(): boolean {
    const t = performance.now();
    if (t - this.lastWrite < 1000) return false;
    this.lastWrite = t;
    return true;
  }

  /** The fraction done, below 1 until the job stores its end. */
  get fraction(): number {
    return this.state.total > 0 ? this.state.done / this.state.total : 0;
  }
}
