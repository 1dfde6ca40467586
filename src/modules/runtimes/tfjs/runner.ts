import * as tf from '@tensorflow/tfjs';
import { selectBackend, type TfjsPreference } from './backends.js';
import { loadGraphModelFromDir } from './file-io.js';
import { packTokens, sparseIndices, type SparseInput } from '../../text/model-input.js';
import { loadTokenizer, type SentencePieceTokenizer } from '../../text/tokenizer.js';
import { normalizeRows } from '../../../vectors.js';
import { PROBE_TEXT, type InputKind, type ModelRunner } from '../model-runner.js';

/**
 * Loads a TF.js graph model on this thread's tfjs: selects the backend, loads the graph from
 * `dir`, probes it. A USE-style graph (`sparse-sentencepiece`) must take `indices` [n,2] and
 * `values` [n] int32 and is fed the module's own SentencePiece ids (tokenized here); a `text`
 * graph takes one string tensor [n]. Every tensor a run creates is disposed before it returns.
 * This is the fallback runtime, and the reference the ONNX graphs are checked against.
 */
export async function loadTfjsRunner(
  opts: { dir: string; inputKind: InputKind; backend: TfjsPreference; note?: string | null },
  logger?: { info(o: object, msg?: string): void },
): Promise<ModelRunner> {
  if (opts.inputKind === 'dense-sentencepiece') throw new Error(`module in ${opts.dir} is an ONNX module (model.onnx); tfjs cannot run it`);
  const backend = await selectBackend(opts.backend, logger);
  if (backend === 'wasm') (await import('./wasm-kernels.js')).patchWasmKernels();
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
  let tokenizer: SentencePieceTokenizer | undefined;
  if (opts.inputKind === 'sparse-sentencepiece') tokenizer = await loadTokenizer(opts.dir);
  const exec = (texts: readonly string[]) => (tokenizer ? runSparse(graph, packTokens(texts.map((t) => tokenizer.encode(t)))) : runText(graph, texts));
  const probe = await exec([PROBE_TEXT]);
  const dims = probe.length;
  if (!Number.isInteger(dims) || dims <= 0) throw new Error(`module in ${opts.dir} returned ${probe.length} values for one text`);
  return {
    backend,
    dims,
    note: opts.note ?? null,
    async run(texts) {
      return normalizeRows(await exec(texts), dims);
    },
    async dispose() {
      model.dispose();
    },
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
async function runSparse(graph: GraphRun, input: SparseInput): Promise<Float32Array> {
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

function withSentinelRow(input: SparseInput): SparseInput {
  const rows: Int32Array[] = [];
  let at = 0;
  for (const len of input.lengths) {
    rows.push(input.values.subarray(at, at + len));
    at += len;
  }
  rows.push(Int32Array.of(input.values[0] ?? 6));
  return packTokens(rows);
}

/** Runs a graph with one string input [n]; takes its first output. */
async function runText(graph: GraphRun, texts: readonly string[]): Promise<Float32Array> {
  const input = tf.tensor1d([...texts], 'string');
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
