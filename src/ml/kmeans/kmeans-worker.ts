/**
 * Worker-thread entry for `runKmeansInWorker()`. Thread 0 drives the clustering and works on row
 * chunks; threads 1.. are helpers that only work on row chunks. All share one WebAssembly.Memory
 * (data, per-row state, centres) and one control block. Never imported by the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { helperLoop, TeamRunner } from './runner.js';
import { solveKmeans, type SolveOptions } from './solve.js';
import { Workspace, type Layout } from './workspace.js';
import type { WasmMemory } from '../wasm/runtime.js';

/** What every k-means worker is started with. */
export interface KmeansWorkerInit {
  memory: WasmMemory;
  layout: Layout;
  ctrl: Int32Array;
  thread: number;
  opts: SolveOptions;
}

/** Messages from the driver thread. */
export type KmeansWorkerMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; inertia: number; iterations: number; restartsRun: number; miniBatch: boolean; centroids: Float32Array; assignments: Int32Array }
  | { type: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('kmeans-worker.ts must run as a worker thread');
const init = workerData as KmeansWorkerInit;
const ws = new Workspace(init.memory, init.layout, init.thread);

if (init.thread > 0) {
  helperLoop(ws, init.ctrl);
} else {
  const runner = new TeamRunner(ws, init.ctrl, init.layout.threads - 1);
  const post = (m: KmeansWorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  let lastSent = 0;
  let lastAt = 0;
  const onProgress = (fraction: number): void => {
    const now = Date.now();
    if (fraction - lastSent < 0.01 && now - lastAt < 250) return;
    lastSent = fraction;
    lastAt = now;
    post({ type: 'progress', fraction });
  };
  try {
    runner.waitForHelpers();
    const r = solveKmeans(ws, runner, init.opts, onProgress);
    post({ type: 'done', ...r }, [r.centroids.buffer as ArrayBuffer, r.assignments.buffer as ArrayBuffer]);
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  } finally {
    runner.close();
  }
}
