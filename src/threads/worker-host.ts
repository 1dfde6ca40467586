/**
 * The main thread's handle on one worker thread that serves requests (serve.ts on its side):
 * `call` posts a request with a transfer list and resolves with the worker's reply, or rejects
 * with the error its handler threw; events the worker sends unasked go to `onEvent`. When the
 * worker ends (an uncaught error, an exit, or `terminate`), every pending and later call rejects
 * with one error that says why, and `onEnd` is told once. While no call is pending the worker is
 * unref'd, so an idle worker never keeps the process alive (unless `keepAlive`).
 * Started with spawnSiblingWorker (spawn.ts), the one way semhub starts a worker.
 */
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { uniqueTransfer, type CallMessage, type RemoteError, type WorkerMessage } from './messages.js';
import { spawnSiblingWorker } from './spawn.js';

/** How a worker stopped serving. */
export interface WorkerEnd {
  /** 'error': an uncaught error ended it; 'exit': it exited; 'terminated': the host's `terminate`. */
  how: 'error' | 'exit' | 'terminated';
  /** In words: the error's message, the start failure the worker reported, "exit code N", or terminate's reason. */
  cause: string;
  /** The exit code, when it exited. */
  code?: number;
}

/** The default error of calls pending on, or made after, a worker that ended. */
export class WorkerEndedError extends Error {
  constructor(message: string, readonly end: WorkerEnd) {
    super(message);
    this.name = 'WorkerEndedError';
  }
}

export interface WorkerHostOptions<Ev> {
  /** Names the worker in the default messages ("the training thread"). */
  name: string;
  /** Receives each event the worker emits. */
  onEvent?(event: Ev): void;
  /** The error pending and later calls reject with once the worker ended (default: WorkerEndedError). */
  failure?(end: WorkerEnd): Error;
  /** Told once when the worker ended, after the pending calls were rejected. */
  onEnd?(end: WorkerEnd): void;
  /** The error a call rejects with when the worker's handler threw (default: an Error of the same name and message). */
  remoteError?(error: RemoteError): Error;
  /** Keep the process alive while the worker is idle (default false). */
  keepAlive?: boolean;
}

/** Where a worker entry starts: beside `siblingOf`, with what it is started with. */
export type WorkerStart = Pick<WorkerOptions, 'workerData' | 'transferList' | 'resourceLimits'>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** "<name> crashed: <cause>", "<name> exited (code N)", "<name> exited: <start failure>", "<name> was terminated". */
export function describeEnd(name: string, end: WorkerEnd): string {
  if (end.how === 'error') return `${name} crashed: ${end.cause}`;
  if (end.how === 'terminated') return `${name} was terminated`;
  return end.cause === `exit code ${end.code}` ? `${name} exited (code ${end.code})` : `${name} exited: ${end.cause}`;
}

/** One worker thread with a promise per request; see the file comment. */
export class WorkerHost<Req, Ev = never, Ready = never> {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended: { end: WorkerEnd; error: Error } | null = null;
  /** Set by `terminate`: how the worker ends once it has exited. */
  private stopping: { end: WorkerEnd; error: Error } | null = null;
  private startFailure: string | null = null;
  private readyState: { info: Ready } | null = null;
  private readonly readyWaiters: Pending[] = [];

  /** Starts `<baseName>.ts|.js` beside `siblingOf` (an import.meta.url) and hosts it. */
  static start<Req, Ev = never, Ready = never>(siblingOf: string, baseName: string, opts: WorkerHostOptions<Ev> & WorkerStart): WorkerHost<Req, Ev, Ready> {
    const { workerData, transferList, resourceLimits, ...host } = opts;
    return new WorkerHost(spawnSiblingWorker(siblingOf, baseName, { workerData, transferList, resourceLimits }), host);
  }

  constructor(private readonly worker: Worker, private readonly opts: WorkerHostOptions<Ev>) {
    if (!opts.keepAlive) worker.unref();
    worker.on('message', (msg: WorkerMessage<Ev, Ready>) => this.receive(msg));
    worker.on('error', (e) => this.end({ how: 'error', cause: e.message }));
    worker.on('exit', (code) => {
      if (this.stopping) this.end(this.stopping.end, this.stopping.error);
      else this.end({ how: 'exit', cause: this.startFailure ?? `exit code ${code}`, code });
    });
  }

  /** False once the worker ended or is being terminated. */
  get alive(): boolean {
    return this.ended === null && this.stopping === null;
  }

  /** Calls sent and not yet answered. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Sends one request; `transfer` buffers move to the worker (the sender's views become empty). */
  call<T>(request: Req, transfer: readonly ArrayBufferLike[] = []): Promise<T> {
    const over = this.ended ?? this.stopping;
    if (over) return Promise.reject(over.error);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.size === 1 && !this.opts.keepAlive) this.worker.ref();
      this.worker.postMessage({ id, request } satisfies CallMessage<Req>, uniqueTransfer(transfer));
    });
  }

  /** Resolves with what the worker passed to `ready()`; rejects if it ended first (with why, as the message). */
  ready(): Promise<Ready> {
    if (this.readyState) return Promise.resolve(this.readyState.info);
    if (this.ended) return Promise.reject(new WorkerEndedError(this.ended.end.cause, this.ended.end));
    return new Promise<Ready>((resolve, reject) => this.readyWaiters.push({ resolve: resolve as (v: unknown) => void, reject }));
  }

  /**
   * Ends the worker: later calls reject at once, pending ones when the thread has exited, with
   * `reason` when it is an Error (an AbortError, say), else with the failure error for it.
   * Resolves once the thread is gone.
   */
  async terminate(reason: string | Error = 'terminated'): Promise<void> {
    if (!this.ended && !this.stopping) {
      const end: WorkerEnd = { how: 'terminated', cause: typeof reason === 'string' ? reason : reason.message };
      this.stopping = { end, error: typeof reason === 'string' ? this.failureOf(end) : reason };
    }
    await this.worker.terminate();
  }

  private receive(msg: WorkerMessage<Ev, Ready>): void {
    if (this.ended) return;
    if ('id' in msg) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0 && !this.opts.keepAlive) this.worker.unref();
      if (msg.ok) p.resolve(msg.result);
      else p.reject(this.opts.remoteError?.(msg.error) ?? Object.assign(new Error(msg.error.message), { name: msg.error.name }));
    } else if ('event' in msg) {
      this.opts.onEvent?.(msg.event);
    } else if ('ready' in msg) {
      this.readyState = { info: msg.ready };
      for (const w of this.readyWaiters.splice(0)) w.resolve(msg.ready);
    } else {
      this.startFailure = msg.failed;
    }
  }

  private end(end: WorkerEnd, error?: Error): void {
    if (this.ended) return;
    const failure = error ?? this.failureOf(end);
    this.ended = { end, error: failure };
    for (const p of this.pending.values()) p.reject(failure);
    this.pending.clear();
    for (const w of this.readyWaiters.splice(0)) w.reject(new WorkerEndedError(end.cause, end));
    if (!this.opts.keepAlive) this.worker.unref();
    this.opts.onEnd?.(end);
  }

  private failureOf(end: WorkerEnd): Error {
    return this.opts.failure?.(end) ?? new WorkerEndedError(describeEnd(this.opts.name, end), end);
  }
}
