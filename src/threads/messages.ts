/**
 * The messages between a WorkerHost (worker-host.ts, main thread) and a worker that serves it
 * (serve.ts). Each call carries an id its one reply echoes; events, the ready signal and a start
 * failure are sent unasked. Buffers travel in transfer lists, never copied element by element.
 */

/** Host → worker: one request. */
export interface CallMessage<Req> {
  id: number;
  request: Req;
}

/** An error thrown by the worker's handler, as it crosses the thread boundary. */
export interface RemoteError {
  name: string;
  message: string;
}

/** Worker → host. */
export type WorkerMessage<Ev = unknown, Ready = unknown> =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: RemoteError }
  | { event: Ev }
  | { ready: Ready }
  | { failed: string };

/** A transfer list without repeats (postMessage refuses a buffer listed twice). */
export function uniqueTransfer(buffers: readonly ArrayBufferLike[]): ArrayBuffer[] {
  return [...new Set(buffers)] as ArrayBuffer[];
}
