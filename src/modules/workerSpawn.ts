import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerInit } from './workerProtocol.js';

const require = createRequire(import.meta.url);

/**
 * Starts an embedding worker on the entry file beside this one with the same extension:
 * `embedWorker.js` when compiled, `embedWorker.ts` when run from source (tsx, vitest). Node 20
 * cannot load a .ts worker entry even with tsx in `execArgv` (the loader hooks do not reach a
 * worker's entry module), so a .ts entry is imported from a small bootstrap that registers tsx's
 * ESM hooks first. `execArgv` is passed on either way.
 */
export function spawnEmbedWorker(init: WorkerInit): Worker {
  const ext = path.extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./embedWorker${ext}`, import.meta.url);
  const options = { workerData: init, execArgv: process.execArgv };
  if (ext !== '.ts') return new Worker(entry, options);
  const tsxApi = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
