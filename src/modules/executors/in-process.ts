import type { BatchExecutor } from './batch-executor.js';
import { loadModelRunner, type RunnerOptions } from '../runtimes/tfjs/runner.js';

/**
 * Runs batches on the calling thread's tfjs (SEMHUB_EMBED_WORKERS=0): no threads, one batch at a
 * time. Meant for small deployments and tests; tensors can be counted with `tf.memory()` here.
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
    slots: 1,
    run(input) {
      const next = chain.then(() => runner.run(input));
      chain = next.catch(() => undefined);
      return next;
    },
    async close() {
      await chain;
      runner.dispose();
    },
  };
}
