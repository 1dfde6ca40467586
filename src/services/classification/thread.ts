/**
 * The training thread: one long-lived worker (train-worker.ts) that runs head trainings
 * one at a time, so the seconds of numeric work never block the server's event loop. It starts
 * on the first training (tfjs and its WebAssembly backend take a few seconds to load), stays warm
 * for `idleMs` after the last one, and never keeps the process alive on its own. Training data is
 * transferred to it (the caller's arrays are detached); a crash fails the running training and
 * the next one starts a fresh thread.
 */
import type { TrainOutcome, TrainTask } from './train.js';
import { describeEnd, WorkerHost } from '../../threads/worker-host.js';

/** The thread's answer: the outcome, and the task's buffers handed back for reuse. */
export interface TrainReply {
  outcome: TrainOutcome;
  returned: ArrayBuffer[];
}

/** What the thread says once tfjs is ready. */
export interface TrainReady {
  engine: string;
}

type Host = WorkerHost<TrainTask, never, TrainReady>;

const NAME = 'the training thread';

/** Runs training tasks on a lazily started, idle-terminated worker thread, in call order. */
export class TrainingThread {
  private host: Host | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  /** `onReturned` receives the buffers of each finished task (see matrix-pool.ts). */
  constructor(private readonly idleMs = 10 * 60_000, private readonly onReturned: (buffers: ArrayBuffer[]) => void = () => {}) {}

  /** Starts the thread now (it otherwise starts on the first `run`) and resolves once it is ready. */
  async warm(): Promise<void> {
    await this.ready(this.start());
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

  private start(): Host {
    if (this.closed) throw new Error('the training thread is closed');
    if (this.host) return this.host;
    const host: Host = WorkerHost.start(import.meta.url, 'train-worker', {
      name: NAME,
      failure: (end) => new Error(end.how === 'terminated' ? end.cause : describeEnd(NAME, end)),
      remoteError: (e) => new Error(`training failed: ${e.message}`),
      // a crashed thread is forgotten: the next training starts a fresh one
      onEnd: () => {
        if (this.host === host) this.host = null;
      },
    });
    this.host = host;
    return host;
  }

  private async ready(host: Host): Promise<void> {
    await host.ready().catch((e: Error) => {
      throw new Error(`the training thread failed to start: ${e.message}`);
    });
  }

  private async execute(task: TrainTask): Promise<TrainOutcome> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const host = this.start();
    await this.ready(host);
    const transfer = [task.train.x.buffer, task.train.y.buffer, ...(task.validation ? [task.validation.x.buffer, task.validation.y.buffer] : [])];
    try {
      const reply = await host.call<TrainReply>(task, transfer);
      this.onReturned(reply.returned);
      return reply.outcome;
    } finally {
      if (this.host === host) {
        this.idleTimer = setTimeout(() => void this.stop('idle'), this.idleMs);
        this.idleTimer.unref();
      }
    }
  }

  private async stop(reason: string): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const host = this.host;
    if (!host) return;
    this.host = null;
    await host.terminate(reason);
  }
}
