/**
 * The training thread: one long-lived worker (train-worker.ts) that runs head trainings
 * one at a time, so the seconds of numeric work never block the server's event loop. It starts
 * on the first training (tfjs and its WebAssembly backend take a few seconds to load), stays warm
 * for `idleMs` after the last one, and never keeps the process alive on its own. Training data is
 * transferred to it (the caller's arrays are detached); a crash fails the running training and
 * the next one starts a fresh thread.
 */
import type { Worker } from 'node:worker_threads';
import type { TrainOutcome, TrainTask } from './train.js';
import { spawnSiblingWorker } from '../../threads.js';

/** A message to the thread. */
export interface TrainRequest {
  id: number;
  task: TrainTask;
}

/** Its answer; `returned` are the task's buffers, handed back for reuse. */
export type TrainReply = { id: number; ok: true; outcome: TrainOutcome; returned: ArrayBuffer[] } | { id: number; ok: false; message: string; returned: ArrayBuffer[] };

type Ready = { ready: true; engine: string };

interface Live {
  worker: Worker;
  ready: Promise<void>;
}

/** Runs training tasks on a lazily started, idle-terminated worker thread, in call order. */
export class TrainingThread {
  private live: Live | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (o: TrainOutcome) => void; reject: (e: Error) => void }>();
  private tail: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  /** `onReturned` receives the buffers of each finished task (see matrix-pool.ts). */
  constructor(private readonly idleMs = 10 * 60_000, private readonly onReturned: (buffers: ArrayBuffer[]) => void = () => {}) {}

  /** Starts the thread now (it otherwise starts on the first `run`) and resolves once it is ready. */
  warm(): Promise<void> {
    return this.start().ready;
  }

  /** Trains in the thread; tasks run one after another. The task's arrays are transferred. */
  run(task: TrainTask): Promise<TrainOutcome> {
    const result = this.tail.then(() => this.execute(task));
    this.tail = result.catch(() => {});
    return result;
  }

  /** Terminates the thread; a running training fails. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop('the training thread was stopped (server shutting down)');
  }

  private start(): Live {
    if (this.closed) throw new Error('the training thread is closed');
    if (this.live) return this.live;
    const worker = spawnSiblingWorker(import.meta.url, 'train-worker');
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (m: Ready) => (m.ready ? resolve() : reject(new Error('the training thread sent no ready message'))));
      worker.once('error', (e) => reject(new Error(`the training thread failed to start: ${e.message}`)));
      worker.once('exit', (code) => reject(new Error(`the training thread exited while starting (code ${code})`)));
    });
    worker.on('message', (m: TrainReply | Ready) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.id);
      this.onReturned(m.returned);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.outcome);
      else p.reject(new Error(`training failed: ${m.message}`));
    });
    worker.on('error', (e) => this.fail(worker, `the training thread crashed: ${e.message}`));
    worker.on('exit', (code) => this.fail(worker, `the training thread exited (code ${code})`));
    const live = { worker, ready };
    this.live = live;
    ready.catch(() => {});
    return live;
  }

  private async execute(task: TrainTask): Promise<TrainOutcome> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const live = this.start();
    await live.ready;
    const id = this.nextId++;
    const transfer = [task.train.x.buffer, task.train.y.buffer, ...(task.validation ? [task.validation.x.buffer, task.validation.y.buffer] : [])] as ArrayBuffer[];
    live.worker.ref();
    try {
      return await new Promise<TrainOutcome>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        live.worker.postMessage({ id, task } satisfies TrainRequest, [...new Set(transfer)]);
      });
    } finally {
      if (this.live === live) {
        live.worker.unref();
        this.idleTimer = setTimeout(() => void this.stop('idle'), this.idleMs);
        this.idleTimer.unref();
      }
    }
  }

  /** Rejects the trainings pending on a worker that died and forgets it. */
  private fail(worker: Worker, message: string): void {
    if (this.live?.worker !== worker) return;
    this.live = null;
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  private async stop(reason: string): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const live = this.live;
    if (!live) return;
    this.fail(live.worker, reason);
    await live.worker.terminate();
  }
}
