/**
 * The main thread's handle on one index worker (hnsw-worker.ts), over the thread host of
 * src/threads/: index handles, stats events, and crash handling. One host serves many collection
 * indexes; `IndexHost.shared()` is the process-wide default. The worker is unref'd while idle, so
 * it never keeps a process alive.
 */
import { WorkerHost, describeEnd } from '../threads/worker-host.js';
import type { IndexStats, Request, StatsEvent } from './protocol.js';

/** Raised for every call pending on, or made after, a worker that crashed or was terminated. */
export class IndexWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexWorkerError';
  }
}

let sharedHost: IndexHost | null = null;

/** One worker thread hosting indexes, with a promise per request. */
export class IndexHost {
  private readonly host: WorkerHost<Request, StatsEvent>;
  private readonly statsListeners = new Map<number, (stats: IndexStats) => void>();
  private nextHandle = 1;

  constructor() {
    this.host = WorkerHost.start<Request, StatsEvent>(import.meta.url, 'hnsw-worker', {
      name: 'hnsw index worker',
      onEvent: (e) => this.statsListeners.get(e.index)?.(e.stats),
      failure: (end) => new IndexWorkerError(`${describeEnd('hnsw index worker', end)}; its indexes are gone: reopen them (they reload from file or rebuild from the store)`),
    });
  }

  /** The process-wide host; a fresh one replaces a crashed one. */
  static shared(): IndexHost {
    if (!sharedHost || !sharedHost.alive) sharedHost = new IndexHost();
    return sharedHost;
  }

  /** False once the worker crashed or was terminated. */
  get alive(): boolean {
    return this.host.alive;
  }

  /** A new index handle, unique within this worker. */
  newHandle(): number {
    return this.nextHandle++;
  }

  /** Receives the counts of index `handle` when they change outside a request (null unsubscribes). */
  onStats(handle: number, listener: ((stats: IndexStats) => void) | null): void {
    if (listener) this.statsListeners.set(handle, listener);
    else this.statsListeners.delete(handle);
  }

  /** Sends one request; `transfer` buffers move to the worker (the sender's views become empty). */
  call<T>(req: Request, transfer: ArrayBuffer[] = []): Promise<T> {
    return this.host.call<T>(req, transfer);
  }

  /** Test hook: makes the worker throw an uncaught error, as a native failure would end it. */
  crashForTest(): Promise<void> {
    return this.call({ op: 'crash' });
  }

  /** Ends the worker; pending and later calls reject with IndexWorkerError. */
  terminate(): Promise<void> {
    return this.host.terminate();
  }
}
