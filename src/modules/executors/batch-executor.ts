import type { ModelInput } from '../text/model-input.js';
import type { BackendName } from '../types.js';

/**
 * Where batches run: in this thread (in-process.ts) or on a pool of worker threads
 * (worker-pool.ts). The embedding queue keeps at most `slots` batches in flight.
 */
export interface BatchExecutor {
  readonly backend: BackendName;
  readonly dims: number;
  /** Why this backend when it is not the first choice (ModelRunner.note); null otherwise. */
  readonly note: string | null;
  /** How many batches can run at once (1 in-process, one per worker in a pool). */
  readonly slots: number;
  /** Embeds one batch: `n × dims` floats, row-major, rows L2-normalized. */
  run(input: ModelInput): Promise<Float32Array>;
  close(): Promise<void>;
}
