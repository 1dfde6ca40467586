import type { BatchExecutor } from './batch-executor.js';
import type { ModelInput } from '../text/model-input.js';
import type { RunnerOptions } from '../runtimes/model-runner.js';
import type { BackendName } from '../types.js';
import { WorkerHost } from '../../threads/worker-host.js';
import type { EmbedRequest, WorkerLog, WorkerReady } from './worker-protocol.js';

interface Task {
  input: ModelInput;
  resolve(v: Float32Array): void;
  reject(e: Error): void;
}

type EmbedHost = WorkerHost<EmbedRequest, WorkerLog, WorkerReady>;

interface Slot {
  host: EmbedHost | null;
  ready: boolean;
  /** Batches sent to this worker and not answered yet; at most PIPELINE_DEPTH. */
  inFlight: number;
  /** Consecutive failed starts; the pool gives up after MAX_RESTARTS. */
  failures: number;
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
 * Each worker is a WorkerHost (src/threads/) kept alive while idle.
 */
export class WorkerPool implements BatchExecutor {
  readonly slots: number;
  private readonly pool: Slot[];
  private readonly waiting: Task[] = [];
  private settings: WorkerReady | null = null;
  private running = false;
  private closing = false;
  private broken: Error | null = null;

  private constructor(private init: RunnerOptions, size: number, private readonly logger?: Logger) {
    this.slots = size * PIPELINE_DEPTH;
    this.pool = Array.from({ length: size }, () => ({ host: null, ready: false, inFlight: 0, failures: 0 }));
  }

  /**
   * Starts `size` workers and resolves when every one has loaded the model; throws the first
   * start failure. The first worker starts alone: it chooses the backend (and builds and checks
   * the module's ONNX graph when the cache has none), then the others start on the backend it
   * chose, reading the graph it cached. Replacements start on that backend too.
   */
  static async create(init: RunnerOptions, size: number, logger?: Logger): Promise<WorkerPool> {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`worker pool size must be a positive integer, got ${size}`);
    const pool = new WorkerPool(init, size, logger);
    try {
      const first = await pool.start(0);
      pool.settings = first;
      pool.init = { ...init, backend: first.backend };
      const started = await Promise.allSettled(pool.pool.slice(1).map((_, i) => pool.start(i + 1)));
      const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason as Error;
    } catch (e) {
      await pool.close();
      throw e;
    }
    pool.running = true;
    logger?.info({ workers: size, backend: pool.backend, dims: pool.dims, note: pool.note }, 'embedding worker pool ready');
    return pool;
  }

  get backend(): BackendName {
    return this.settings!.backend;
  }

  get dims(): number {
    return this.settings!.dims;
  }

  get note(): string | null {
    return this.settings!.note;
  }

  run(input: ModelInput): Promise<Float32Array> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closing) return Promise.reject(new Error('embedding worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.dispatch();
    });
  }

  /** Kills worker `index` as a crash would (tests, operational drills); it is replaced. */
  async terminateWorker(index: number): Promise<void> {
    await this.pool[index]?.host?.terminate('killed by terminateWorker');
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.waiting.splice(0)) t.reject(new Error('embedding worker pool closed'));
    await Promise.all(this.pool.map((s) => s.host?.terminate('the pool closed')));
  }

  /** Starts the worker of slot `index`; resolves once it is ready, rejects with why it could not start. */
  private async start(index: number): Promise<WorkerReady> {
    const slot = this.pool[index]!;
    const host: EmbedHost = WorkerHost.start(import.meta.url, 'embed-worker', {
      name: `embedding worker ${index}`,
      workerData: this.init,
      keepAlive: true,
      onEvent: (log) => relay(log, this.logger),
      remoteError: (e) => new Error(`embedding failed: ${e.message}`),
      failure: (end) => this.closing
        ? new Error('embedding worker pool closed before this batch was embedded')
        : new Error(`embedding worker ${index} died while embedding a batch of texts (${end.cause})`),
      onEnd: (end) => this.onEnd(slot, index, host, end.cause),
    });
    slot.host = host;
    slot.ready = false;
    const ready = await host.ready().catch((e: Error) => {
      throw new Error(`embedding worker failed to start: ${e.message}`);
    });
    if (slot.host === host) slot.ready = true;
    return ready;
  }

  /** Hands waiting batches to the least loaded ready workers. */
  private dispatch(): void {
    for (let depth = 0; depth < PIPELINE_DEPTH; depth++) {
      for (const slot of this.pool) {
        const host = slot.host;
        if (!slot.ready || !host || slot.inFlight > depth) continue;
        const task = this.waiting.shift();
        if (!task) return;
        slot.inFlight++;
        host.call<Float32Array>(task.input).then(task.resolve, task.reject).finally(() => {
          if (slot.host === host) slot.inFlight--;
          this.dispatch();
        });
      }
    }
  }

  /** A worker ended (its batches were failed by its host): replace it, or stop the pool after too many failed starts. */
  private onEnd(slot: Slot, index: number, host: EmbedHost, cause: string): void {
    if (slot.host !== host) return;
    slot.host = null;
    slot.inFlight = 0;
    const wasReady = slot.ready;
    slot.ready = false;
    // while the pool starts, create() reports a failed start; once closing, nothing is replaced
    if (!this.running || this.closing) return;
    if (!wasReady) slot.failures++;
    if (slot.failures >= MAX_RESTARTS) {
      this.broken = new Error(`embedding worker ${index} failed to start ${slot.failures} times in a row (${cause}); the pool is stopped`);
      for (const t of this.waiting.splice(0)) t.reject(this.broken);
      return;
    }
    this.logger?.warn?.({ worker: index, cause }, 'embedding worker died; starting a replacement');
    setTimeout(() => {
      if (this.closing) return;
      this.start(index).then(
        (ready) => {
          slot.failures = 0;
          this.logger?.info({ worker: index, backend: ready.backend }, 'embedding worker replaced');
          this.dispatch();
        },
        () => {}, // onEnd counts the failed start
      );
    }, 100 * slot.failures);
  }
}

/** Writes a worker's log line with the pool's logger (warnings as info when it has no warn). */
function relay(msg: WorkerLog, logger?: Logger): void {
  if (msg.level === 'warn' && logger?.warn) logger.warn(msg.fields, msg.msg);
  else logger?.info(msg.fields, msg.msg);
}

/** Starts a {@link WorkerPool} of `size` workers, ready to run. */
export function createWorkerPool(init: RunnerOptions, size: number, logger?: Logger): Promise<WorkerPool> {
  return WorkerPool.create(init, size, logger);
}
