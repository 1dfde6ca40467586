import type { BackendName } from '../types.js';
import { loadTokenizer } from '../text/tokenizer.js';
import type { ModelRunner, RunnerOptions } from './model-runner.js';
import { prepareOnnxGraph, type OnnxGraph } from './onnx/prepare.js';
import { createOnnxRunner } from './onnx/runner.js';
import { createOnnxSession, CUDA_PROVIDER_HINT, cudaProviderInstalled, isOnnxBackend, type OnnxBackend } from './onnx/session.js';
import type { TfjsBackend } from './tfjs/backends.js';

/**
 * The order `auto` tries backends in, taking the first that really loads: a GPU first (ONNX
 * Runtime's CUDA provider, then tfjs-node-gpu), then ONNX Runtime on the CPU, then the tfjs
 * fallbacks. onnx-webgpu is never picked by `auto`: it is experimental, asked for by name.
 */
export const AUTO_ORDER: readonly BackendName[] = ['onnx-cuda', 'tensorflow-gpu', 'onnx-cpu', 'tensorflow', 'wasm', 'cpu'];

type Logger = { info(o: object, msg?: string): void; warn?(o: object, msg?: string): void };

const firstLine = (e: unknown): string => String(e instanceof Error ? e.message : e).split('\n')[0] ?? '';

/**
 * Loads a module on this thread on the configured backend.
 * - `auto` walks {@link AUTO_ORDER}; a backend that fails to load (a provider library missing, a
 *   package not installed) is skipped, and what was skipped is logged and kept as the runner's note.
 * - An explicit backend that cannot load throws with the reason (no silent fallback), except that
 *   a module without a usable ONNX graph (an architecture semhub cannot convert, a graph that
 *   failed its parity check) runs on tfjs as before: that is the module's limit, not the host's,
 *   and the note says why.
 * ONNX modules (model.onnx) run only on ONNX backends.
 */
export async function loadModelRunner(opts: RunnerOptions, logger?: Logger): Promise<ModelRunner> {
  let graph: OnnxGraph | undefined;
  const onnxGraph = async () => (graph ??= await prepareOnnxGraph(opts, logger));
  const skipped: string[] = [];
  const order = opts.backend === 'auto' ? AUTO_ORDER : [opts.backend];
  for (const backend of order) {
    if (isOnnxBackend(backend)) {
      const g = await onnxGraph();
      if (g.kind === 'refused') {
        if (opts.backend !== 'auto') return tfjsFallback(opts, g.reason, logger);
        if (!skipped.some((s) => s.startsWith('onnx: '))) {
          skipped.push(`onnx: ${g.reason}`);
          logger?.warn?.({ module: opts.dir, reason: g.reason }, `module runs on tfjs, not ONNX Runtime: ${g.reason}`);
        }
        continue;
      }
      if (backend === 'onnx-cuda' && opts.backend === 'auto' && !cudaProviderInstalled()) {
        skipped.push(`onnx-cuda: the CUDA provider library is not installed (${CUDA_PROVIDER_HINT})`);
        continue;
      }
      try {
        return await loadOnnx(opts, g, backend, skipped);
      } catch (e) {
        if (opts.backend !== 'auto') throw e;
        skipped.push(`${backend}: ${firstLine(e)}`);
        logger?.info({ backend, reason: firstLine(e) }, 'encoder backend unavailable; trying the next');
        continue;
      }
    }
    if (opts.inputKind === 'dense-sentencepiece') {
      if (opts.backend !== 'auto') throw new Error(`module in ${opts.dir} is an ONNX module (model.onnx): it runs on onnx-cpu, onnx-cuda or onnx-webgpu, not on ${backend}`);
      continue;
    }
    try {
      const { loadTfjsRunner } = await import('./tfjs/runner.js');
      const note = skipped.length ? `auto skipped ${skipped.join("; ")}` : null;
      return await loadTfjsRunner({ dir: opts.dir, inputKind: opts.inputKind, backend: backend as TfjsBackend, note }, logger);
    } catch (e) {
      if (opts.backend !== 'auto') throw e;
      skipped.push(`${backend}: ${firstLine(e)}`);
    }
  }
  throw new Error(`no encoder backend could run module ${opts.dir}:\n  ${skipped.join('\n  ')}`);
}

async function loadOnnx(opts: RunnerOptions, g: Extract<OnnxGraph, { kind: 'ready' }>, backend: OnnxBackend, skipped: string[]): Promise<ModelRunner> {
  const session = await createOnnxSession(g.file, backend);
  try {
    return await createOnnxRunner({
      session,
      backend,
      tokenizer: await loadTokenizer(opts.dir),
      maxTokens: g.maxTokens,
      tokenBudget: opts.tokenBudget,
      maxRows: opts.maxRows,
      note: skipped.length ? `auto skipped ${skipped.join("; ")}` : null,
    });
  } catch (e) {
    await session.release();
    throw e;
  }
}

/** A module without a usable ONNX graph, on tfjs (the reference runtime, WebAssembly first). */
async function tfjsFallback(opts: RunnerOptions, reason: string, logger?: Logger): Promise<ModelRunner> {
  const { loadTfjsRunner } = await import('./tfjs/runner.js');
  const tfjsPref = opts.backend === 'tensorflow-gpu' || opts.backend === 'tensorflow' || opts.backend === 'wasm' || opts.backend === 'cpu' ? opts.backend : 'auto';
  const runner = await loadTfjsRunner({ dir: opts.dir, inputKind: opts.inputKind, backend: tfjsPref, note: `runs on tfjs: ${reason}` }, logger);
  logger?.warn?.({ module: opts.dir, backend: runner.backend, reason }, `module runs on tfjs (${runner.backend}) instead of ${opts.backend}: ${reason}`);
  return runner;
}
