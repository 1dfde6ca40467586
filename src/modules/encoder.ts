import type { BackendPreference } from './runtimes/tfjs/backends.js';
import type { BatchExecutor } from './executors/batch-executor.js';
import { EmbedQueue, type EmbedQueueStats } from './batching/embed-queue.js';
import { createInProcessExecutor } from './executors/in-process.js';
import { sparseAdapter, textAdapter, type InputAdapter } from './text/input-adapter.js';
import type { InputKind, RunnerOptions } from './runtimes/tfjs/runner.js';
import { loadTokenizer } from './text/tokenizer.js';
import type { Encoder, ModuleInfo } from './types.js';
import { createWorkerPool } from './executors/worker-pool.js';

/**
 * Padded tokens per batch. Measured in-process on USE-lite (wasm) over the first 900 STS-B dev
 * sentences: budget 96 → 179, 192 → 249, 384 → 264, 512 → 267, 768 → 248 sentences per CPU-second.
 */
export const DEFAULT_TOKEN_BUDGET = 384;
/** Vectors kept per encoder by content hash (about 2 KB each at 512 dims, so ~20 MB). */
export const DEFAULT_CACHE_SIZE = 10_000;
const PROBE_TEXT = 'A probe sentence to size the output.';

/** What {@link loadEncoder} needs: where the module is, what it is, and how to run it. */
export interface EncoderOptions {
  name: string;
  version: string;
  /** Directory with model.json, shards and (for sparse models) vocab.json. */
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
  logger?: { info(o: object, msg?: string): void };
}

/** An Encoder with its queue's counters and cache control (benchmarks, metrics). */
export interface LoadedEncoder extends Encoder {
  stats(): EmbedQueueStats;
  clearCache(): void;
}

/**
 * Loads a module into a ready Encoder: tokenizer on this thread, the graph on a worker pool (or
 * in-process), a batching queue in front. Output dims are found by embedding a probe sentence.
 */
export async function loadEncoder(opts: EncoderOptions): Promise<LoadedEncoder> {
  const adapter: InputAdapter = opts.inputKind === 'sparse-sentencepiece' ? sparseAdapter(await loadTokenizer(opts.dir)) : textAdapter();
  const runner: RunnerOptions = {
    dir: opts.dir,
    inputKind: opts.inputKind,
    backend: opts.backend,
    probe: adapter.pack([adapter.prepare(PROBE_TEXT)]),
  };
  const executor: BatchExecutor =
    opts.workers > 0 ? await createWorkerPool(runner, opts.workers, opts.logger) : await createInProcessExecutor(runner, opts.logger);
  const queue = new EmbedQueue({
    executor,
    adapter,
    maxBatch: opts.maxBatch,
    tokenBudget: opts.tokenBudget ?? DEFAULT_TOKEN_BUDGET,
    queueMax: opts.queueMax,
    cacheSize: opts.cacheSize ?? DEFAULT_CACHE_SIZE,
  });
  const info: ModuleInfo = Object.freeze({
    name: opts.name,
    version: opts.version,
    dims: executor.dims,
    sha256: opts.sha256,
    backend: executor.backend,
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
