/**
 * Starting a worker thread on a sibling entry file that may be TypeScript. Compiled, the entry is
 * the `.js` file and loads directly. Under tsx (dev, tests, benches) Node 20 cannot load a `.ts`
 * worker entry even with tsx in `execArgv` (the loader hooks do not reach a worker's entry
 * module), so a one-line bootstrap registers tsx's ESM hooks first and then imports the entry.
 * The one way semhub starts a worker; WorkerHost.start (worker-host.ts) calls it.
 */
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Where tsx's ESM API lives, for registering tsx inside a worker. */
function tsxApiUrl(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    // runners without import.meta.resolve (vitest's module runner): resolve through the package
    const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
    return pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href;
  }
}

/** Flags that change how modules load: what a worker needs from the parent's execArgv. */
const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);

function loaderArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!LOADER_FLAGS.has(arg.split('=')[0]!)) continue;
    out.push(arg);
    if (!arg.includes('=') && i + 1 < argv.length) out.push(argv[++i]!);
  }
  return out;
}

/**
 * A worker on `<baseName>.ts` or `<baseName>.js` beside `siblingOf` (an import.meta.url), with
 * the same extension as that file. The parent's execArgv is passed on (only its loader flags when
 * Node refuses the rest in a worker).
 */
export function spawnSiblingWorker(siblingOf: string, baseName: string, options: Omit<WorkerOptions, 'eval' | 'execArgv'> = {}): Worker {
  const ext = extname(fileURLToPath(siblingOf));
  const entry = new URL(`./${baseName}${ext}`, siblingOf);
  const start = (execArgv: string[]): Worker => {
    if (ext !== '.ts') return new Worker(entry, { ...options, execArgv });
    const boot = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
    return new Worker(boot, { ...options, eval: true, execArgv });
  };
  if (workerArgv) return start(workerArgv);
  try {
    const worker = start(process.execArgv);
    workerArgv = process.execArgv;
    return worker;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    workerArgv = loaderArgv(process.execArgv);
    return start(workerArgv);
  }
}

/** The execArgv workers start with, found by the first spawn (the parent's flags never change). */
let workerArgv: string[] | null = null;
