import type { Worker } from 'node:worker_threads';
import type { BatchExecutor } from './batch-executor.js';
import type { ModelInput } from '../text/model-input.js';
import type { RunnerOptions } from '../runtimes/model-runner.js';
import type { BackendName } from '../types.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';
import { spawnEmbedWorker } from './worker-spawn.js';

interface Task {
  id: number;
  input: ModelInput;
  resolve(v: Float32Array): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker | null;
  ready: boolean;
  /** Batches sent to this worker, oldest first; at most PIPELINE_DEPTH. */
  tasks: Task[];
  /** Consecutive failed starts; the pool gives up after MAX_RESTARTS. */
  failures: number;
  lastError?: string;
}

const MAX_RESTARTS = 3;
/** Batches queued at a worker: the next one is already there when the current one ends. */
const PIPELINE_DEPTH = 2;

type Logger = { info(o: object, msg?: string): void; warn?(o: object, msg?: string): void };

/**
 * A pool of worker threads, each with its own runtime (an ONNX Runtime session of one thread, or
 * tfjs) and copy of the graph; each tokenizes the batches it runs. A worker
 * runs one batch at a time and holds the next one ready ({@link PIPELINE_DEPTH}), so it never
 * waits on the main thread between batches. A worker that dies fails the batches it held (the
 * error names the worker and the cause) and is replaced; after {@link MAX_RESTARTS} failed starts
 * in a row the pool is broken and rejects every batch. Created ready by {@link createWorkerPool}.
 */
export class WorkerPool implements BatchExecutor {
  readonly slots: number;
  private readonly pool: Slot[];
  private readonly waiting: Task[] = [];
  private nextId = 1;
  private closing = false;
  private broken: Error | null = null;

  private constructor(
    private readonly init: RunnerOptions,
    size: number,
    readonly backend: BackendName,
    readonly dims: number,
    readonly note: string | null,
    workers: Worker[],
    private readonly logger?: Logger,
  ) {
    this.slots = size * PIPELINE_DEPTH;
    this.pool = workers.map((w) => ({ worker: w, ready: true, tasks: [], failures: 0 }));
    this.pool.forEach((slot, i) => this.watch(slot, i, workers[i]!));
  }

  /**
   * Starts `size` workers and resolves when every one has loaded the model; throws the first
   * start failure. The first worker starts alone: it chooses the backend (and builds and checks
   * the module's ONNX graph when the cache has none), then the others start on the backend it
   * chose, reading the graph it cached. Replacements start on that backend too.
   */
  static async create(init: RunnerOptions, size: number, logger?: Logger): Promise<WorkerPool> {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`worker pool size must be a positive integer, got ${size}`);
    const firstWorker = spawnEmbedWorker(init);
    let first: Ready;
    try {
      first = await whenReady(firstWorker, logger);
    } catch (e) {
      await firstWorker.terminate();
      throw e;
    }
    const settled: RunnerOptions = { ...init, backend: first.backend };
    const rest = Array.from({ length: size - 1 }, () => spawnEmbedWorker(settled));
    const started = await Promise.allSettled(rest.map((w) => whenReady(w, logger)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const workers = [firstWorker, ...rest];
    if (failed) {
      await Promise.all(workers.map((wk) => wk.terminate()));
      throw failed.reason as Error;
    }
    logger?.info({ workers: size, backend: first.backend, dims: first.dims, note: first.note }, 'embedding worker pool ready');
    return new WorkerPool(settled, size, first.backend, first.dims, first.note, workers, logger);
  }

  run(input: ModelInput): Promise<Float32Array> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closing) return Promise.reject(new Error('embedding worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, input, resolve, reject });
      this.dispatch();
    });
  }

  /** Kills worker `index` as a crash would (tests, operational drills); it is replaced. */
  async terminateWorker(index: number): Promise<void> {
    await this.pool[index]?.worker?.terminate();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.waiting.splice(0)) t.reject(new Error('embedding worker pool closed'));
    await Promise.all(this.pool.map((s) => s.worker?.terminate()));
  }

  /** Hands waiting batches to the least loaded ready workers. */
  private dispatch(): void {
    for (let depth = 0; depth < PIPELINE_DEPTH; depth++) {
      for (const slot of this.pool) {
        if (!slot.ready || !slot.worker || slot.tasks.length > depth) continue;
        const task = this.waiting.shift();
        if (!task) return;
        slot.tasks.push(task);
        const msg: ToWorker = { type: 'run', id: task.id, input: task.input };
        slot.worker.postMessage(msg);
      }
    }
  }

  private watch(slot: Slot, index: number, worker: Worker): void {
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        slot.failures = 0;
        this.logger?.info({ worker: index, backend: msg.backend }, 'embedding worker replaced');
      } else if (msg.type === 'failed') {
        slot.lastError = msg.message;
      } else if (msg.type === 'log') {
        relay(msg, this.logger);
      } else if (slot.tasks[0]?.id === msg.id) {
        const task = slot.tasks.shift()!;
        if (msg.type === 'result') task.resolve(msg.vectors);
        else task.reject(new Error(`embedding failed: ${msg.message}`));
      }
      this.dispatch();
    });
    worker.on('error', (e) => {
      slot.lastError = e.message;
    });
    worker.on('exit', (code) => this.onExit(slot, index, worker, code));
  }

  private onExit(slot: Slot, index: number, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    const wasReady = slot.ready;
    slot.ready = false;
    const cause = slot.lastError ?? `exit code ${code}`;
    slot.lastError = undefined;
    const failure = this.closing
      ? new Error('embedding worker pool closed before this batch was embedded')
      : new Error(`embedding worker ${index} died while embedding a batch of texts (${cause})`);
    for (const task of slot.tasks.splice(0)) task.reject(failure);
    if (this.closing) return;
    if (!wasReady) slot.failures++;
    if (slot.failures >= MAX_RESTARTS) {
      this.broken = new Error(`embedding worker ${index} failed to start ${slot.failures} times in a row (${cause}); the pool is stopped`);
      for (const t of this.waiting.splice(0)) t.reject(this.broken);
      return;
    }
    this.logger?.warn?.({ worker: index, cause }, 'embedding worker died; starting a replacement');
    setTimeout(() => {
      if (this.closing) return;
      slot.worker = spawnEmbedWorker(this.init);
      this.watch(slot, index, slot.worker);
    }, 100 * slot.failures);
  }
}

type Ready = { backend: BackendName; dims: number; note: string | null };

/** Resolves with the worker's `ready` message, rejects with its start failure or exit. */
function whenReady(worker: Worker, logger?: Logger): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    const onMessage = (msg: FromWorker) => {
      if (msg.type === 'log') relay(msg, logger);
      else if (msg.type === 'ready') {
        worker.off('exit', onExit);
        worker.off('message', onMessage);
        resolve({ backend: msg.backend, dims: msg.dims, note: msg.note });
      } else if (msg.type === 'failed') failure = msg.message;
    };
    const onExit = (code: number) => reject(new Error(`embedding worker failed to start: ${failure ?? `exit code ${code}`}`));
    worker.on('message', onMessage);
    worker.on('error', (e) => (failure ??= e.message));
    worker.on('exit', onExit);
  });
}

/** Writes a worker's log line with the pool's logger (warnings as info when it has no warn). */
function relay(msg: Extract<FromWorker, { type: 'log' }>, logger?: Logger): void {
  if (msg.level === 'warn' && logger?.warn) logger.warn(msg.fields, msg.msg);
  else logger?.info(msg.fields, msg.msg);
}

/** Starts a {@link WorkerPool} of `size` workers, ready to run. */
export function createWorkerPool(init: RunnerOptions, size: number, logger?: Logger): Promise<WorkerPool> {
  return WorkerPool.create(init, size, logger);
}
