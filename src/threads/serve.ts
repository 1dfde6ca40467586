/**
 * The worker side of a WorkerHost (worker-host.ts): `serve` answers the host's calls one at a
 * time, in arrival order, with the handler's result (buffers moved with `transferring`) or the
 * error it threw; `emit` sends an event unasked (progress, log lines); `ready` and `failStart`
 * end a worker's start-up either way. Imported by worker entry files only.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { uniqueTransfer, type CallMessage, type RemoteError, type WorkerMessage } from './messages.js';

/** A result with the buffers to move to the host instead of copying them. */
export class Transferring<T> {
  constructor(readonly value: T, readonly transfer: readonly ArrayBufferLike[]) {}
}

/** Returns `value` from a handler with `transfer` moved to the host (the worker's views become empty). */
export function transferring<T>(value: T, transfer: readonly ArrayBufferLike[]): Transferring<T> {
  return new Transferring(value, transfer);
}

/** This thread's port to its host; throws when the module was not started as a worker. */
export function hostPort(): MessagePort {
  if (!parentPort) throw new Error('this module must run as a worker thread (started by a WorkerHost)');
  return parentPort;
}

function remoteError(e: unknown): RemoteError {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
}

function post(message: WorkerMessage, transfer: readonly ArrayBufferLike[] = []): void {
  hostPort().postMessage(message, uniqueTransfer(transfer));
}

/**
 * Answers each call with `handle(request)`: its value (or a `transferring` one), or the error it
 * threw or rejected with. Calls run one after another, also when the handler is async.
 */
export function serve<Req>(handle: (request: Req) => unknown): void {
  let chain = Promise.resolve();
  hostPort().on('message', ({ id, request }: CallMessage<Req>) => {
    chain = chain.then(async () => {
      try {
        const out = await handle(request);
        if (out instanceof Transferring) post({ id, ok: true, result: out.value }, out.transfer);
        else post({ id, ok: true, result: out });
      } catch (e) {
        post({ id, ok: false, error: remoteError(e) });
      }
    });
  });
}

/** Sends `event` to the host's `onEvent`, unasked. */
export function emit<Ev>(event: Ev, transfer: readonly ArrayBufferLike[] = []): void {
  post({ event }, transfer);
}

/** Tells the host this worker is ready (its `ready()` resolves with `info`). */
export function ready<R>(info: R): void {
  post({ ready: info });
}

/** Tells the host why this worker could not start, then ends the worker (its `ready()` rejects with that). */
export function failStart(error: unknown): never {
  post({ failed: remoteError(error).message });
  process.exit(1);
}
