import type { BackendPreference } from '../config.js';
import type { BatchExecutor } from './executors/batch-executor.js';
import { EmbedQueue, type EmbedQueueStats } from './batching/embed-queue.js';
import { createInProcessExecutor } from './executors/in-process.js';
import { textAdapter, tokenEstimateAdapter, type InputAdapter } from './text/input-adapter.js';
import type { InputKind, RunnerOptions } from './runtimes/model-runner.js';
import type { Encoder, ModuleInfo } from './types.js';
import { createWorkerPool } from './executors/worker-pool.js';

/**
 * Estimated tokens per batch the queue hands a worker (rows × longest estimate; at most
 * SEMHUB_EMBED_BATCH rows). The worker cuts each batch into runs of {@link RUN_TOKEN_BUDGET}
 * padded tokens and at most {@link RUN_MAX_ROWS} rows by true token counts. Measured on USE-lite,
 * onnx-cpu, the 2,910 unique STS-B dev sentences: batches cut at 384 estimated tokens (about 22
 * rows) cost 1.49 CPU ms per sentence in all, at 1536 (64 rows) 1.35-1.43; on one thread,
 * sorted runs cost 0.92 ms per sentence from batches of 64 and 1.12 from batches of 24. A search
 * waits for at most the batch its worker is running (about 60 ms for 64 rows).
 */
export const DEFAULT_TOKEN_BUDGET = 1536;
/** Padded tokens per graph run in a worker: runs of 384 measured fastest (wasm and ONNX Runtime alike). */
const RUN_TOKEN_BUDGET = 384;
/** Rows per graph run in a worker: 24-32 measured fastest on ONNX Runtime's CPU provider (0.78 against 0.84 ms per sentence at 64). */
const RUN_MAX_ROWS = 32;
/** Vectors kept per encoder by content hash (about 2 KB each at 512 dims, so ~20 MB). */
const DEFAULT_CACHE_SIZE = 10_000;

/** What {@link loadEncoder} needs: where the module is, what it is, and how to run it. */
export interface EncoderOptions {
  name: string;
  version: string;
  /** Directory with model.json, shards and (for sparse models) vocab.json, or model.onnx and vocab.json. */
  dir: string;
  /** hashModuleDir of `dir`. */
  sha256: string;
  /** Where it came from, for ModuleInfo.source. */
  source: string;
  inputKind: InputKind;
  backend: BackendPreference;
  /** Worker threads; 0 runs in this thread. */
  workers: number;
  maxBatch: number;
  queueMax: number;
  tokenBudget?: number;
  cacheSize?: number;
  /** The module cache (SEMHUB_MODULE_CACHE), where built ONNX graphs are kept. */
  cacheDir: string;
  logger?: { info(o: object, msg?: string): void; warn?(o: object, msg?: string): void };
}

/** An Encoder with its queue's counters and cache control (benchmarks, metrics). */
export interface LoadedEncoder extends Encoder {
  stats(): EmbedQueueStats;
  clearCache(): void;
}

/**
 * Loads a module into a ready Encoder: the module (tokenizer and graph) on a pool of embedding
 * workers (or in-process), a batching queue in front that groups texts by estimated length.
 * Output dims are found by embedding a probe sentence.
 */
export async function loadEncoder(opts: EncoderOptions): Promise<LoadedEncoder> {
  const adapter: InputAdapter = opts.inputKind === 'text' ? textAdapter() : tokenEstimateAdapter();
  const tokenBudget = opts.tokenBudget ?? DEFAULT_TOKEN_BUDGET;
  const runner: RunnerOptions = {
    dir: opts.dir,
    sha256: opts.sha256,
    inputKind: opts.inputKind,
    backend: opts.backend,
    cacheDir: opts.cacheDir,
    tokenBudget: RUN_TOKEN_BUDGET,
    maxRows: RUN_MAX_ROWS,
  };
  const executor: BatchExecutor =
    opts.workers > 0 ? await createWorkerPool(runner, opts.workers, opts.logger) : await createInProcessExecutor(runner, opts.logger);
  const queue = new EmbedQueue({
    executor,
    adapter,
    maxBatch: opts.maxBatch,
    tokenBudget,
    queueMax: opts.queueMax,
    cacheSize: opts.cacheSize ?? DEFAULT_CACHE_SIZE,
  });
  const info: ModuleInfo = Object.freeze({
    name: opts.name,
    version: opts.version,
    dims: executor.dims,
    sha256: opts.sha256,
    backend: executor.backend,
    backendNote: executor.note,
    inputKind: opts.inputKind,
    source: opts.source,
  });
  return {
    info,
    embed: (texts, opts) => queue.embed(texts, opts),
    stats: () => queue.stats(),
    clearCache: () => queue.clearCache(),
    async close() {
      queue.close();
      await executor.close();
    },
  };
}
