import { rowsFor } from '../../batching/length-buckets.js';
import type { SentencePieceTokenizer } from '../../text/tokenizer.js';
import { normalizeRows } from '../../../vectors.js';
import { PROBE_TEXT, type ModelRunner } from '../model-runner.js';
import { ort, type OnnxBackend } from './session.js';

export interface OnnxRunnerOptions {
  session: ort.InferenceSession;
  backend: OnnxBackend;
  tokenizer: SentencePieceTokenizer;
  /** Tokens the graph reads of a text; later ones are cut here. */
  maxTokens: number;
  tokenBudget: number;
  maxRows: number;
  note?: string | null;
}

type IdsType = 'int32' | 'int64';
type MaskType = 'float32' | 'int64' | 'int32' | 'bool';

/** The element type a session declares for input `name`, among those semhub can feed. */
function inputType<T extends string>(session: ort.InferenceSession, name: string, allowed: readonly T[]): T {
  const meta = session.inputMetadata.find((m) => m.name === name);
  if (!meta) throw new Error(`the ONNX graph has no input "${name}" (its inputs: ${session.inputNames.join(', ')}); a module graph takes ids and mask`);
  const type = meta.isTensor ? meta.type : 'not a tensor';
  if (!(allowed as readonly string[]).includes(type)) throw new Error(`the ONNX graph's input "${name}" is ${type}; semhub feeds ${allowed.join(' or ')}`);
  return type as T;
}

/** `values` as a tensor of the element type a graph input declares (ids are int32 here, mask 0/1 bytes). */
function tensorOf(type: IdsType | MaskType, values: Int32Array | Uint8Array, dims: number[]): ort.Tensor {
  switch (type) {
    case 'int32':
      return new ort.Tensor('int32', values instanceof Int32Array ? values : Int32Array.from(values), dims);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
    case 'float32':
      return new ort.Tensor('float32', Float32Array.from(values), dims);
    case 'bool':
      return new ort.Tensor('bool', values instanceof Uint8Array ? values : Uint8Array.from(values), dims);
  }
}

/**
 * Runs a dense SentencePiece graph (inputs `ids`, `mask` [rows, tokens]; first output the vectors)
 * on an ONNX Runtime session. A batch of texts is tokenized here, in the worker, cut to
 * `maxTokens`, sorted by length and cut into runs of similar length (within `tokenBudget` padded
 * tokens and `maxRows` rows), each padded only to its own longest text; vectors come back in the
 * texts' order. A text's vector depends on the texts it is batched with only by float32
 * rounding (at most 6.7e-8 per component measured; test/modules/runtimes/batch-independence):
 * padding is masked out of attention (a -1e9 bias, an exact 0 after softmax) and of the mean,
 * and only the matrix kernels' blocking changes with the batch's shape.
 */
export async function createOnnxRunner(opts: OnnxRunnerOptions): Promise<ModelRunner> {
  const { session, tokenizer, maxTokens } = opts;
  const idsType = inputType<IdsType>(session, 'ids', ['int32', 'int64']);
  const maskType = inputType<MaskType>(session, 'mask', ['float32', 'int64', 'int32', 'bool']);
  const output = session.outputNames[0]!;

  async function runRows(rows: readonly number[][]): Promise<Float32Array> {
    const n = rows.length;
    const width = Math.max(1, ...rows.map((r) => r.length));
    const ids = new Int32Array(n * width);
    const mask = new Uint8Array(n * width);
    rows.forEach((row, i) => {
      ids.set(row, i * width);
      mask.fill(1, i * width, i * width + row.length);
    });
    const feeds = { ids: tensorOf(idsType, ids, [n, width]), mask: tensorOf(maskType, mask, [n, width]) };
    const result = await session.run(feeds);
    const out = result[output]!;
    try {
      if (out.type !== 'float32') throw new Error(`the ONNX graph's output "${output}" is ${out.type}, not float32`);
      return (out.data as Float32Array).slice();
    } finally {
      for (const t of Object.values(result)) t.dispose();
    }
  }

  async function run(texts: readonly string[]): Promise<Float32Array> {
    const tokens = texts.map((t) => {
      const ids = tokenizer.encode(t);
      return ids.length > maxTokens ? ids.slice(0, maxTokens) : ids;
    });
    const order = tokens.map((_, i) => i).sort((a, b) => tokens[a]!.length - tokens[b]!.length);
    let out: Float32Array | undefined;
    let dims = 0;
    for (let start = 0; start < order.length; ) {
      // Ascending lengths: the run's longest is its last row; grow it while the padded size fits.
      let end = start + 1;
      while (end < order.length && end - start + 1 <= rowsFor(tokens[order[end]!]!.length, opts.tokenBudget, opts.maxRows)) end++;
      const part = order.slice(start, end);
      const vectors = await runRows(part.map((i) => tokens[i]!));
      dims ||= vectors.length / part.length;
      out ??= new Float32Array(texts.length * dims);
      part.forEach((i, k) => out!.set(vectors.subarray(k * dims, (k + 1) * dims), i * dims));
      start = end;
    }
    return out ?? new Float32Array(0);
  }

  const probe = await run([PROBE_TEXT]);
  const dims = probe.length;
  if (!Number.isInteger(dims) || dims <= 0) throw new Error(`the ONNX graph returned ${probe.length} values for one text`);
  return {
    backend: opts.backend,
    dims,
    note: opts.note ?? null,
    async run(texts) {
      return normalizeRows(await run(texts), dims);
    },
    async dispose() {
      await session.release();
    },
  };
}
