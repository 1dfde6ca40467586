/**
 * Runs a row step over every chunk: on this thread alone (LocalRunner), or shared with helper
 * threads that wait on a small control block of shared Int32s (TeamRunner + helperLoop). Threads
 * claim chunks one at a time from a shared counter; each chunk's results land in its own slots, so
 * who ran which chunk never changes the outcome.
 */
import { runRowOp, RowOp } from './rows.js';
import type { Workspace } from './workspace.js';

/** Runs row steps over all chunks. */
export interface RowRunner {
  run(op: number, a0?: number): void;
}

/** Every chunk on the calling thread. */
export class LocalRunner implements RowRunner {
  constructor(private readonly ws: Workspace) {}

  run(op: number, a0 = 0): void {
    for (let c = 0; c < this.ws.layout.nChunks; c++) runRowOp(this.ws, op, c, a0);
  }
}

/** Control block slots (Int32). */
const SEQ = 0;
const OP = 1;
const ARG = 2;
const NEXT = 3;
const DONE = 4;
const READY = 5;
const FAILED = 6;
/** Int32 slots in a control block. */
const CONTROL_SLOTS = 8;

/** Creates a control block for a team. */
export function createControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
}

function claimAll(ws: Workspace, ctrl: Int32Array, op: number, a0: number): void {
  const chunks = ws.layout.nChunks;
  for (let c = Atomics.add(ctrl, NEXT, 1); c < chunks; c = Atomics.add(ctrl, NEXT, 1)) runRowOp(ws, op, c, a0);
}

/**
 * The driver's side of a team: publishes a step, works on it too, then blocks (Atomics.wait)
 * until every helper is done. Must run on a thread that may block: a worker, not the main thread.
 */
export class TeamRunner implements RowRunner {
  constructor(
    private readonly ws: Workspace,
    private readonly ctrl: Int32Array,
    private readonly helpers: number,
  ) {}

  /** Blocks until all helpers have started. */
  waitForHelpers(): void {
    for (let r = Atomics.load(this.ctrl, READY); r < this.helpers; r = Atomics.load(this.ctrl, READY)) {
      Atomics.wait(this.ctrl, READY, r);
    }
  }

  run(op: number, a0 = 0): void {
    const ctrl = this.ctrl;
    ctrl[OP] = op;
    ctrl[ARG] = a0;
    Atomics.store(ctrl, NEXT, 0);
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    let failure: unknown = null;
    try {
      claimAll(this.ws, ctrl, op, a0);
    } catch (e) {
      failure = e;
    }
    for (let d = Atomics.load(ctrl, DONE); d < this.helpers; d = Atomics.load(ctrl, DONE)) Atomics.wait(ctrl, DONE, d);
    if (failure) throw failure;
    if (Atomics.load(ctrl, FAILED)) throw new Error('a k-means helper thread failed');
  }

  /** Tells the helpers to return. */
  close(): void {
    this.ctrl[OP] = RowOp.exit;
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
  }
}

/** A helper thread's loop: wait for a step, claim chunks, report done; returns on the exit step. */
export function helperLoop(ws: Workspace, ctrl: Int32Array): void {
  let seen = Atomics.load(ctrl, SEQ);
  Atomics.add(ctrl, READY, 1);
  Atomics.notify(ctrl, READY);
  for (;;) {
    Atomics.wait(ctrl, SEQ, seen);
    seen = Atomics.load(ctrl, SEQ);
    const op = ctrl[OP]!;
    if (op === RowOp.exit) return;
    try {
      claimAll(ws, ctrl, op, ctrl[ARG]!);
    } catch {
      Atomics.store(ctrl, FAILED, 1);
    }
    Atomics.add(ctrl, DONE, 1);
    Atomics.notify(ctrl, DONE);
  }
}
