import { GraphBuilder } from './graph.js';
import { DataType } from './proto.js';
import type { TfjsGraph, TfjsWeight } from './tfjs-weights.js';

/**
 * Version of this builder. It is part of the cached graph's key: a change to the graph it writes
 * must bump it, so no cache keeps a graph an older builder made.
 */
export const USE_LITE_BUILDER_VERSION = 'use-lite-dense-1';

/**
 * Op counts of the USE-lite TF.js graph (TF Hub `universal-sentence-encoder-lite/1` as converted
 * for tfjs): the architecture this builder knows. A graph whose ops differ is refused; one that
 * matches but computes something else is caught by the parity check against tfjs.
 */
const USE_LITE_OPS: Readonly<Record<string, number>> = {
  Add: 17, BatchMatMul: 4, BiasAdd: 10, Cast: 6, ConcatV2: 12, Const: 61, Conv2D: 4, Cos: 1, ExpandDims: 12,
  GatherNd: 4, GatherV2: 11, Greater: 1, Less: 2, LogicalNot: 1, MatMul: 6, Max: 1, Maximum: 3, Mean: 8, Mul: 14,
  Pack: 12, Placeholder: 2, Prod: 8, Range: 1, RealDiv: 1, Relu: 2, Reshape: 21, Rsqrt: 5, ScatterNd: 5, Shape: 21,
  Sin: 1, Slice: 2, Softmax: 2, SparseToDense: 1, SplitV: 2, Square: 5, Squeeze: 6, StridedSlice: 24, Sub: 4, Sum: 3,
  Tanh: 1, Transpose: 8, Where: 2,
};

const KT = 'module_apply_default/Encoder_en/KonaTransformer';
const STACK = `${KT}/Encode/TransformerStack`;

/** A graph the builder made, with what its runner must know. */
export interface BuiltGraph {
  bytes: Uint8Array;
  /** Tokens the graph reads of each text; later ones are cut (USE-lite: 128). */
  maxTokens: number;
  dims: number;
  nodes: number;
}

/** Why a TF.js graph is not one this builder knows, or null when it is. */
export function refuseUseLite(graph: TfjsGraph): string | null {
  const counts: Record<string, number> = {};
  for (const op of graph.ops.values()) counts[op] = (counts[op] ?? 0) + 1;
  const ops = new Set([...Object.keys(counts), ...Object.keys(USE_LITE_OPS)]);
  const diff = [...ops].filter((op) => counts[op] !== USE_LITE_OPS[op]).map((op) => `${op} ${counts[op] ?? 0} (USE-lite ${USE_LITE_OPS[op] ?? 0})`);
  if (diff.length) return `its ops differ from USE-lite's: ${diff.slice(0, 5).join(', ')}${diff.length > 5 ? ', …' : ''}`;
  if (!graph.ops.has('indices') || !graph.ops.has('values')) return 'it has no indices/values inputs';
  return null;
}

/**
 * Rebuilds USE-lite as a dense ONNX graph (opset 17) from its own TF.js weights.
 *
 * Inputs: `ids` int32 [batch, tokens] (SentencePiece ids, 0 past a text's end) and `mask` float32
 * [batch, tokens] (1 for a text's tokens, 0 for padding). Output: `embeddings` float32 [batch, 512],
 * L2-normalized. What the TF.js graph does, and so what this one does:
 * - every token of a text counts, `<unk>` (id 0) included (the TF graph densifies the sparse ids
 *   with -1 and masks `ids > -1`); padding does not;
 * - layer input = embedding + (embedding + timing signal) on the text's tokens, 0 on padding;
 * - two pre-LayerNorm transformer layers: attention over the text's keys (bias × (1 - mask)), the
 *   residual of layer 0 projected 256→512 on tokens only, feed-forward 512→1536→512 (ReLU) added
 *   on tokens only (the TF graph gathers them, runs the FFN, scatters back);
 * - the mean over the text's tokens (1 for an empty text's divisor);
 * - a 512-unit tanh layer and L2 normalisation (x · rsqrt(max(Σx², ε))).
 */
export function buildUseLiteGraph(graph: TfjsGraph): BuiltGraph {
  const refusal = refuseUseLite(graph);
  if (refusal) throw new Error(`not a USE-lite graph: ${refusal}`);
  const w = (name: string): TfjsWeight => {
    const t = graph.weights.get(name);
    if (!t) throw new Error(`USE-lite weight ${name} is missing`);
    return t;
  };
  const scalar = (name: string): number => {
    const t = w(name);
    if (t.data.length !== 1) throw new Error(`USE-lite weight ${name} is not a scalar`);
    return t.data[0]!;
  };
  const g = new GraphBuilder();
  const f32 = (name: string, hint: string, shape?: number[]) => {
    const t = w(name);
    if (t.dtype !== 'float32') throw new Error(`USE-lite weight ${name} is not float32`);
    return g.float(hint, t.data as Float32Array, shape ?? t.shape);
  };

  const embeddings = w('module/Embeddings_en');
  const width0 = embeddings.shape[1]!;
  const maxTokens = scalar(`${KT}/ClipToMaxLength/Less/y`);
  const epsilon = scalar(`${STACK}/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`);
  const maskBias = scalar(`${STACK}/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`);
  const heads = scalar(`${STACK}/Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2`);

  const ids = g.input('ids', DataType.INT32, ['batch', 'tokens']);
  const mask = g.input('mask', DataType.FLOAT, ['batch', 'tokens']);
  const axis1 = g.int64('axis1', [1]);
  const axis2 = g.int64('axis2', [2]);
  const axes12 = g.int64('axes12', [1, 2]);
  const one = g.float('one', [1], []);

  const counted = mask;
  const counted3 = g.op('Unsqueeze', [counted, axis2], {}, 'counted3');
  const count = g.op('ReduceSum', [counted, axis1], { keepdims: 0 }, 'count');

  // Timing signal of positions 0..maxTokens-1, computed here once (sin | cos of position × inverse timescale), cut to `tokens`.
  const inv = w(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`).data as Float32Array;
  const timingTable = new Float32Array(maxTokens * inv.length * 2);
  for (let p = 0; p < maxTokens; p++) {
    for (let k = 0; k < inv.length; k++) {
      const angle = Math.fround(p * inv[k]!);
      timingTable[p * inv.length * 2 + k] = Math.sin(angle);
      timingTable[p * inv.length * 2 + inv.length + k] = Math.cos(angle);
    }
  }
  if (inv.length * 2 !== width0) throw new Error(`USE-lite timing signal has ${inv.length * 2} dims, embeddings ${width0}`);
  const tokens = g.op('Shape', [ids], { start: 1, end: 2 }, 'tokens');
  const timing = g.op('Slice', [g.float('timing_table', timingTable, [maxTokens, width0]), g.int64('zero', [0]), tokens, g.int64('axis0', [0])], {}, 'timing');

  const emb = g.op('Gather', [f32('module/Embeddings_en', 'embedding_table'), ids], { axis: 0 }, 'token_embedding');
  const withTiming = g.op('Add', [emb, timing], {}, 'with_timing');
  let x = g.op('Mul', [g.op('Add', [emb, withTiming], {}, 'layer_input_raw'), counted3], {}, 'layer_input');
  const bias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [one, counted]), g.float('mask_bias', [maskBias], [])]), axes12], {}, 'attention_bias');

  for (const layer of [0, 1]) {
    const L = `${KT}/Encode/Layer_${layer}/TransformerLayer`;
    const S = `${STACK}/Layer_${layer}/TransformerLayer`;
    const M = `module/Encoder_en/KonaTransformer/Encode/Layer_${layer}/TransformerLayer/MultiheadAttention`;
    const qkvKernel = w(`${M}/qkv_transform_single/kernel/part_0`);
    const width = qkvKernel.shape[2]!;
    const split = [...(w(`${S}/MultiheadAttention/Const`).data as Int32Array)];
    const headDim = scalar(`${S}/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3`);
    if (split.length !== 3 || split.some((s) => s !== heads * headDim)) throw new Error(`USE-lite layer ${layer}: q/k/v split ${split} does not match ${heads} heads of ${headDim}`);
    const p = `l${layer}_`;
    const ln = (input: string, prefix: string, name: string) =>
      g.op('LayerNormalization', [input, f32(`${prefix}/layer_norm/layer_norm_scale/ConcatPartitions/concat`, `${name}_scale`), f32(`${prefix}/layer_norm/layer_norm_bias/ConcatPartitions/concat`, `${name}_bias`)], { axis: -1, epsilon: { float: epsilon } }, name);
    const dense = (input: string, kernel: string, biasName: string, name: string, shape?: number[]) =>
      g.op('Add', [g.op('MatMul', [input, f32(kernel, `${name}_kernel`, shape)], {}, `${name}_matmul`), f32(biasName, `${name}_bias`)], {}, name);

    // Attention.
    const h = ln(x, `${L}/layer_prepostprocess`, `${p}attention_norm`);
    const qkv = dense(h, `${M}/qkv_transform_single/kernel/part_0`, `${L}/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`, `${p}qkv`, [width, split[0]! * 3]);
    const [q, k, v] = g.opN('Split', [qkv, g.int64(`${p}split`, split)], { axis: 2 }, 3, `${p}qkv_split`) as [string, string, string];
    const headShape = g.int64(`${p}head_shape`, [0, 0, heads, headDim]);
    const toHeads = (t: string, perm: number[], name: string) => g.op('Transpose', [g.op('Reshape', [t, headShape])], { perm }, name);
    const qh = g.op('Mul', [toHeads(q, [0, 2, 1, 3], `${p}q`), g.float(`${p}q_scale`, [scalar(`${S}/MultiheadAttention/mul/y`)], [])], {}, `${p}q_scaled`);
    const kh = toHeads(k, [0, 2, 3, 1], `${p}k_t`);
    const vh = toHeads(v, [0, 2, 1, 3], `${p}v`);
    const scores = g.op('Add', [g.op('MatMul', [qh, kh]), bias], {}, `${p}scores`);
    const weights = g.op('Softmax', [scores], { axis: -1 }, `${p}attention_weights`);
    const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [weights, vh])], { perm: [0, 2, 1, 3] }), g.int64(`${p}merged_shape`, [0, 0, heads * headDim])], {}, `${p}context`);
    const outKernel = w(`${M}/output_transform_single/kernel/part_0`);
    const attention = dense(context, `${M}/output_transform_single/kernel/part_0`, `${L}/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`, `${p}attention_out`, [outKernel.shape[2]!, outKernel.shape[3]!]);
    // Residual: layer 0 projects its input to the wider width, on counted tokens only.
    const residual =
      layer === 0
        ? g.op('Mul', [dense(x, `${L}/dense/kernel/ConcatPartitions/concat`, `${L}/dense/bias/ConcatPartitions/concat`, `${p}residual_projection`), counted3], {}, `${p}residual`)
        : x;
    x = g.op('Add', [attention, residual], {}, `${p}after_attention`);

    // Feed-forward, added on counted tokens only.
    const hf = ln(x, `${L}/FFN/layer_prepostprocess`, `${p}ffn_norm`);
    const inner = g.op('Relu', [dense(hf, `${S}/FFN/conv1/Tensordot/Reshape_1`, `${L}/FFN/conv1/bias/ConcatPartitions/concat`, `${p}ffn_inner`)]);
    const ffn = dense(inner, `${S}/FFN/conv2/Tensordot/Reshape_1`, `${L}/FFN/conv2/bias/ConcatPartitions/concat`, `${p}ffn_out`);
    x = g.op('Add', [g.op('Mul', [ffn, counted3]), x], {}, `${p}output`);
  }

  // Mean over the text's tokens.
  const countCol = g.op('Unsqueeze', [count, axis1], {}, 'count_col');
  const summed = g.op('ReduceSum', [g.op('Mul', [x, counted3]), axis1], { keepdims: 0 }, 'pool_sum');
  const pooled = g.op('Div', [summed, g.op('Max', [countCol, one])], {}, 'pooled');

  const hiddenW = w('module/Encoder_en/hidden_layers/tanh_layer_0/weights');
  const hidden = g.op('Tanh', [g.op('Add', [g.op('MatMul', [pooled, f32('module/Encoder_en/hidden_layers/tanh_layer_0/weights', 'hidden_kernel')]), f32('module/Encoder_en/hidden_layers/tanh_layer_0/bias', 'hidden_bias')])], {}, 'hidden');
  const sq = g.op('ReduceSum', [g.op('Mul', [hidden, hidden]), axis1], { keepdims: 1 }, 'sum_squares');
  const l2eps = scalar('module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y');
  const normalized = g.op('Mul', [hidden, g.op('Reciprocal', [g.op('Sqrt', [g.op('Max', [sq, g.float('l2_epsilon', [l2eps], [])])])])], {}, 'normalized');
  const dims = hiddenW.shape[1]!;
  g.alias(normalized, 'embeddings');
  g.output('embeddings', DataType.FLOAT, ['batch', dims]);

  const bytes = g.encode({
    graphName: 'use-lite',
    producerVersion: USE_LITE_BUILDER_VERSION,
    docString: 'USE-lite rebuilt as a dense graph from its TF.js weights by semhub',
    metadata: { 'semhub.builder': USE_LITE_BUILDER_VERSION, 'semhub.max_tokens': String(maxTokens) },
  });
  return { bytes, maxTokens, dims, nodes: g.nodeCount };
}
