import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../types.js';

/** The tfjs backends: native CUDA, native CPU, WebAssembly, plain JavaScript. */
export type TfjsBackend = Extract<BackendName, 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu'>;
/** `auto` or one tfjs backend. */
export type TfjsPreference = 'auto' | TfjsBackend;

/** The order `auto` tries tfjs backends in: native CUDA, native CPU, wasm, plain JS. */
const AUTO_BACKEND_ORDER: readonly TfjsBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

const require = createRequire(import.meta.url);

/** Makes `name` the active tfjs backend or throws saying why; tfjs' own `setBackend` only returns false. */
async function activate(name: TfjsBackend): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      // Optional native packages: importing them registers the 'tensorflow' backend with tfjs-core.
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      try {
        await import(pkg);
      } catch (e) {
        throw new Error(`backend "${name}" is unavailable: ${pkg} cannot be loaded (${firstLine(e)}); it is an optional dependency that needs libtensorflow`);
      }
      if (!(await tf.setBackend('tensorflow'))) throw new Error(`backend "${name}": ${pkg} loaded but tf.setBackend('tensorflow') failed`);
      return;
    }
    case 'wasm': {
      let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
      try {
        wasm = await import('@tensorflow/tfjs-backend-wasm');
      } catch (e) {
        throw new Error(`backend "wasm" is unavailable: @tensorflow/tfjs-backend-wasm cannot be loaded (${firstLine(e)})`);
      }
      if (!tf.engine().registry['wasm']) {
        // The .wasm binaries are read from the package's dist/ on disk; a file path prefix, not a URL.
        wasm.setWasmPaths(wasmDistDir() + path.sep);
      }
      if (!(await tf.setBackend('wasm'))) throw new Error('backend "wasm" failed to initialize (tf.setBackend returned false; see the tfjs warning above)');
      return;
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('backend "cpu" failed to initialize');
      return;
  }
}

/** The directory holding tfjs-backend-wasm's .wasm binaries. */
function wasmDistDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0] ?? '';
}

/**
 * Selects and initializes the tfjs backend for this thread. `auto` tries tensorflow-gpu >
 * tensorflow > wasm > cpu and takes the first that initializes; an explicit preference throws
 * (with the reason) when it cannot be loaded. Logs and returns the backend in use.
 */
export async function selectBackend(
  pref: TfjsPreference,
  logger?: { info(o: object, msg?: string): void },
): Promise<TfjsBackend> {
  const order = pref === 'auto' ? AUTO_BACKEND_ORDER : [pref];
  const skipped: string[] = [];
  for (const name of order) {
    try {
      await activate(name);
      await tf.ready();
      logger?.info({ backend: name, preference: pref, skipped }, 'tfjs backend selected');
      return name;
    } catch (e) {
      if (pref !== 'auto') throw e;
      skipped.push(`${name}: ${firstLine(e)}`);
    }
  }
  throw new Error(`no tfjs backend could be initialized:\n  ${skipped.join('\n  ')}`);
}
