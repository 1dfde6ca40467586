import type { BatchExecutor } from './batch-executor.js';
import type { RunnerOptions } from '../runtimes/model-runner.js';
import { loadModelRunner } from '../runtimes/load-runner.js';

/**
 * Runs batches on the calling thread (SEMHUB_EMBED_WORKERS=0): no threads, one batch at a time.
 * Meant for small deployments and tests; tokenization and the graph then run on the main thread.
 */
export async function createInProcessExecutor(
  opts: RunnerOptions,
  logger?: { info(o: object, msg?: string): void },
): Promise<BatchExecutor> {
  const runner = await loadModelRunner(opts, logger);
  let chain: Promise<unknown> = Promise.resolve();
  return {
    backend: runner.backend,
    dims: runner.dims,
    note: runner.note,
    slots: 1,
    run(input) {
      const next = chain.then(() => runner.run(input.texts));
      chain = next.catch(() => undefined);
      return next;
    },
    async close() {
      await chain;
      await runner.dispose();
    },
  };
}
