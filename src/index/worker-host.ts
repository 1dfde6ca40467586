/**
 * The main thread's handle on one index worker: request ids, pending calls, transfer lists and
 * crash handling. One host serves many collection indexes; `IndexHost.shared()` is the
 * process-wide default. The worker is unref'd while idle, so it never keeps a process alive.
 */
import type { Worker } from 'node:worker_threads';
import { spawnSiblingWorker } from '../threads.js';
import type { IndexStats, Reply, Request, StatsEvent } from './protocol.js';

/** Raised for every call pending on, or made after, a worker that crashed or was terminated. */
export class IndexWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexWorkerError';
  }
}

/** A request without its id (the host assigns it). */
type Outgoing = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

let sharedHost: IndexHost | null = null;

/** One worker thread hosting indexes, with a promise per request. */
export class IndexHost {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly statsListeners = new Map<number, (stats: IndexStats) => void>();
  private nextId = 1;
  private nextHandle = 1;
  private failure: IndexWorkerError | null = null;

  constructor() {
    this.worker = spawnSiblingWorker(import.meta.url, 'hnsw-worker');
    this.worker.unref();
    this.worker.on('message', (msg: Reply | StatsEvent) => ('event' in msg ? this.statsListeners.get(msg.index)?.(msg.stats) : this.settle(msg)));
    this.worker.on('error', (e) => this.fail(`hnsw index worker crashed: ${e.message}`));
    this.worker.on('exit', (code) => this.fail(`hnsw index worker exited (code ${code})`));
  }

  /** The process-wide host; a fresh one replaces a crashed one. */
  static shared(): IndexHost {
    if (!sharedHost || !sharedHost.alive) sharedHost = new IndexHost();
    return sharedHost;
  }

  /** False once the worker crashed or was terminated. */
  get alive(): boolean {
    return this.failure === null;
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
  call<T>(req: Outgoing, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  /** Test hook: makes the worker throw an uncaught error, as a native failure would end it. */
  crashForTest(): Promise<void> {
    return this.call({ op: 'crash' });
  }

  /** Ends the worker; pending and later calls reject with IndexWorkerError. */
  async terminate(): Promise<void> {
    if (!this.failure) this.fail('hnsw index worker was terminated');
    await this.worker.terminate();
  }

  private settle(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.error));
  }

  private fail(message: string): void {
    if (this.failure) return;
    this.failure = new IndexWorkerError(`${message}; its indexes are gone: reopen them (they reload from file or rebuild from the store)`);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }
}
