import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { BackendName } from '../../types.js';

/** The ONNX Runtime backends and the execution provider each one asks for. */
export type OnnxBackend = Extract<BackendName, 'onnx-cuda' | 'onnx-webgpu' | 'onnx-cpu'>;

const PROVIDERS: Record<OnnxBackend, string> = { 'onnx-cuda': 'cuda', 'onnx-webgpu': 'webgpu', 'onnx-cpu': 'cpu' };

export const isOnnxBackend = (name: string): name is OnnxBackend => name in PROVIDERS;

/** The onnxruntime-node version in use (part of a parity verdict's key). */
export const ORT_VERSION: string = ort.env.versions.common;

/**
 * Whether onnxruntime-node's CUDA provider library is installed. It is not in the npm package:
 * `ONNXRUNTIME_NODE_INSTALL=cuda12` at install downloads it (see docs/encoder-runtime.md). `auto`
 * skips onnx-cuda without trying when it is absent (trying logs a loader error on every start).
 */
export function cudaProviderInstalled(): boolean {
  const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  return existsSync(path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
}

/** How to get the CUDA provider, for error messages. */
export const CUDA_PROVIDER_HINT = 'install it with ONNXRUNTIME_NODE_INSTALL=cuda12 (CUDA 12 runtime and cuDNN 9 on the host); see docs/encoder-runtime.md';

/**
 * An ONNX Runtime session on one execution provider, with one intra-op and one inter-op thread:
 * semhub runs one session per embedding worker thread, which measured faster here than one
 * session with several threads. No CPU fallback is listed beside a GPU provider, so a provider
 * whose library is missing (the CUDA provider is not in the npm package) fails here, at creation,
 * with ONNX Runtime's message, instead of running silently on the CPU.
 */
export async function createOnnxSession(model: Uint8Array | string, backend: OnnxBackend): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [PROVIDERS[backend]],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
  try {
    return await (typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options));
  } catch (e) {
    const why = String(e instanceof Error ? e.message : e).split('\n')[0];
    const hint = backend === 'onnx-cuda' && !cudaProviderInstalled() ? `; the CUDA provider library is not installed: ${CUDA_PROVIDER_HINT}` : '';
    throw new Error(`backend "${backend}": ONNX Runtime could not create a session on the ${PROVIDERS[backend]} execution provider (${why})${hint}`);
  }
}

export { ort };
