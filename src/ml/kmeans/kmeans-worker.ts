/**
 * Worker-thread entry for `runKmeansInWorker()`. Thread 0 drives the clustering and works on row
 * chunks; threads 1.. are helpers that only work on row chunks. All share one WebAssembly.Memory
 * (data, per-row state, centres) and one control block. Never imported by the main thread.
 */
import { workerData } from 'node:worker_threads';
import { emit, serve, transferring } from '../../threads/serve.js';
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

/** Progress the driver thread reports; its one call returns solveKmeans's result. */
export interface KmeansProgress {
  fraction: number;
}

const init = workerData as KmeansWorkerInit;
const ws = new Workspace(init.memory, init.layout, init.thread);

if (init.thread > 0) {
  helperLoop(ws, init.ctrl);
} else {
  serve(() => {
    const runner = new TeamRunner(ws, init.ctrl, init.layout.threads - 1);
    let lastSent = 0;
    let lastAt = 0;
    const onProgress = (fraction: number): void => {
      const now = Date.now();
      if (fraction - lastSent < 0.01 && now - lastAt < 250) return;
      lastSent = fraction;
      lastAt = now;
      emit<KmeansProgress>({ fraction });
    };
    try {
      runner.waitForHelpers();
      const r = solveKmeans(ws, runner, init.opts, onProgress);
      return transferring(r, [r.centroids.buffer, r.assignments.buffer]);
    } finally {
      runner.close();
    }
  });
}
