import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendPreference } from './backends.js';
import { loadGraphModelFromDir } from './file-io.js';
import { batchSize, packTokens, sparseIndices, type ModelInput } from '../../text/model-input.js';
import { normalizeRows } from '../../similarity.js';
import type { BackendName } from '../../types.js';
import { patchWasmKernels } from './wasm-kernels.js';

/** How a graph takes its input: USE-style sparse SentencePiece ids, or one string tensor. */
export type InputKind = 'sparse-sentencepiece' | 'dense-sentencepiece' | 'text';

/** What a thread (main or worker) needs to run a module. */
export interface RunnerOptions {
  dir: string;
  inputKind: InputKind;
  backend: BackendPreference;
  /** A sentence embedded once at load, to discover `dims` and warm the graph up. */
  probe: ModelInput;
}

/** A graph model loaded on this thread's tfjs; runs one batch at a time. */
export interface ModelRunner {
  readonly backend: BackendName;
  readonly dims: number;
  /** Embeds a batch: `n × dims` floats, row-major, each row L2-normalized. */
  run(input: ModelInput): Promise<Float32Array>;
  dispose(): void;
}

/**
 * Selects the backend, loads the graph model from `dir` and probes it. A USE-style graph must take
 * `indices` [n,2] int32 and `values` [n] int32; a text graph one string tensor [n]. Every tensor a
 * run creates is disposed before it returns.
 */
export async function loadModelRunner(opts: RunnerOptions, logger?: { info(o: object, msg?: string): void }): Promise<ModelRunner> {
  const backend = await selectBackend(opts.backend, logger);
  if (backend === 'wasm') patchWasmKernels();
  const model = await loadGraphModelFromDir(opts.dir);
  const names = model.inputs.map((i) => i.name);
  if (opts.inputKind === 'sparse-sentencepiece' && !(names.includes('indices') && names.includes('values'))) {
    model.dispose();
    throw new Error(`module in ${opts.dir} has a vocab.json but its graph inputs are [${names.join(', ')}], not [indices, values]`);
  }
  if (opts.inputKind === 'text' && names.length !== 1) {
    model.dispose();
    throw new Error(`module in ${opts.dir} must have one string input (got [${names.join(', ')}])`);
  }
  const graph = graphRunner(model);
  const exec = (input: ModelInput) => (input.kind === 'sparse' ? runSparse(graph, input) : runText(graph, input.texts));
  const probe = await exec(opts.probe);
  const dims = probe.length / batchSize(opts.probe);
  if (!Number.isInteger(dims) || dims <= 0) throw new Error(`module in ${opts.dir} returned ${probe.length} values for ${batchSize(opts.probe)} texts`);
  return {
    backend,
    dims,
    async run(input) {
      return normalizeRows(await exec(input), dims);
    },
    dispose: () => model.dispose(),
  };
}

type GraphRun = (inputs: tf.Tensor | tf.NamedTensorMap) => Promise<tf.Tensor | tf.Tensor[]>;

/**
 * Runs `model` with `execute()` when its graph allows it and `executeAsync()` when it has dynamic
 * ops (USE-lite's Where): tfjs refuses the former up front, before running anything, and the
 * answer is kept.
 */
function graphRunner(model: tf.GraphModel): GraphRun {
  let dynamic: boolean | undefined;
  return async (inputs) => {
    if (dynamic) return model.executeAsync(inputs);
    try {
      const out = model.execute(inputs);
      dynamic = false;
      return out;
    } catch (e) {
      if (dynamic === false || !/executeAsync/.test(String((e as Error).message))) throw e;
      dynamic = true;
      return model.executeAsync(inputs);
    }
  };
}

/**
 * Runs a USE-style graph. The graph infers the batch size from the largest row index, so trailing
 * rows without ids would be dropped and an all-empty batch fails: a one-id row is appended when
 * any row is empty and its output cut off. Empty rows then embed as the reference does mid-batch.
 */
async function runSparse(graph: GraphRun, input: Extract<ModelInput, { kind: 'sparse' }>): Promise<Float32Array> {
  const n = input.lengths.length;
  const padded = input.lengths.includes(0) ? withSentinelRow(input) : input;
  const indices = tf.tensor2d(sparseIndices(padded.lengths), [padded.values.length, 2], 'int32');
  const values = tf.tensor1d(padded.values, 'int32');
  let out: tf.Tensor | tf.Tensor[] | undefined;
  try {
    out = await graph({ indices, values });
    const t = Array.isArray(out) ? out[0]! : out;
    const data = (await t.data()) as Float32Array;
    // A copy we own: some backends hand out their internal buffer, and this one gets transferred.
    return data.slice(0, padded === input ? data.length : (data.length / (n + 1)) * n);
  } finally {
    tf.dispose([indices, values]);
    if (out) tf.dispose(out);
  }
}

function withSentinelRow(input: Extract<ModelInput, { kind: 'sparse' }>): Extract<ModelInput, { kind: 'sparse' }> {
  const rows: Int32Array[] = [];
  let at = 0;
  for (const len of input.lengths) {
    rows.push(input.values.subarray(at, at + len));
    at += len;
  }
  rows.push(Int32Array.of(input.values[0] ?? 6));
  return packTokens(rows) as Extract<ModelInput, { kind: 'sparse' }>;
}

/** Runs a graph with one string input [n]; takes its first output. */
async function runText(graph: GraphRun, texts: string[]): Promise<Float32Array> {
  const input = tf.tensor1d(texts, 'string');
  let out: tf.Tensor | tf.Tensor[] | undefined;
  try {
    out = await graph(input);
    const t = Array.isArray(out) ? out[0]! : out;
    return ((await t.data()) as Float32Array).slice();
  } finally {
    input.dispose();
    if (out) tf.dispose(out);
  }
}
