import type { BackendPreference } from '../../config.js';
import type { BackendName } from '../types.js';

/**
 * What a module's graph takes:
 * - `sparse-sentencepiece`: a TF.js USE-style graph fed SentencePiece ids as sparse `indices`/`values`;
 * - `dense-sentencepiece`: an ONNX graph (`model.onnx` shipped with the module) fed `ids`/`mask` [batch, tokens];
 * - `text`: a TF.js graph with one string input.
 */
export type InputKind = 'sparse-sentencepiece' | 'dense-sentencepiece' | 'text';

/** What a thread (an embedding worker, or the main thread) needs to run a module. */
export interface RunnerOptions {
  dir: string;
  /** The module's sha256 (hashModuleDir): the key of its built ONNX graph in the cache. */
  sha256: string;
  inputKind: InputKind;
  backend: BackendPreference;
  /** The module cache (SEMHUB_MODULE_CACHE): built ONNX graphs and their parity reports live under onnx/. */
  cacheDir: string;
  /** Most padded tokens (rows × longest) per graph run; see batching/length-buckets.ts rowsFor. */
  tokenBudget: number;
  /** Most rows per graph run. */
  maxRows: number;
}

/** A module loaded on this thread: texts in, L2-normalized vectors out, one batch at a time. */
export interface ModelRunner {
  readonly backend: BackendName;
  readonly dims: number;
  /** Why this backend, when it is not the first choice; null otherwise. */
  readonly note: string | null;
  /** Embeds texts (tokenizing them here): `n × dims` floats, row-major, each row L2-normalized. */
  run(texts: readonly string[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** The sentence every runner embeds once at load, to learn its output size and warm up. */
export const PROBE_TEXT = 'A probe sentence to size the output.';
