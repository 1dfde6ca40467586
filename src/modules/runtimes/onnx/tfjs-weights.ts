import { readGraphModelFiles, type WeightSpec } from '../../module-files.js';

/** One weight of a TF.js graph model, decoded. */
export interface TfjsWeight {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/** What the graph builders read of a TF.js graph model: its weights by name and its nodes' ops. */
export interface TfjsGraph {
  weights: Map<string, TfjsWeight>;
  /** Node name → op, for recognising an architecture. */
  ops: Map<string, string>;
}

interface ModelJson {
  modelTopology?: { node?: Array<{ name: string; op: string }> };
  weightsManifest?: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

/**
 * Reads model.json and its weight shards from a module directory without tfjs: the shards are
 * the weights' little-endian bytes concatenated in manifest order. Only unquantized float32 and
 * int32 weights are supported (anything else is an Error naming the weight); manifest paths may
 * not leave the directory.
 */
export async function readTfjsGraph(dir: string): Promise<TfjsGraph> {
  const { modelJson: model, specs, weightData: bytes } = await readGraphModelFiles<ModelJson>(dir);
  const weights = new Map<string, TfjsWeight>();
  let at = 0;
  for (const spec of specs) {
    if (spec.quantization) throw new Error(`weight ${spec.name} is quantized; only float32 and int32 weights can be converted`);
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32') throw new Error(`weight ${spec.name} has dtype ${spec.dtype}; only float32 and int32 can be converted`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (at + count * 4 > bytes.length) throw new Error(`weight ${spec.name} runs past the end of its shards`);
    // A copy into an aligned buffer of its own (shard offsets need not be 4-aligned).
    const own = bytes.slice(at, at + count * 4);
    at += count * 4;
    const data = spec.dtype === 'float32' ? new Float32Array(own.buffer) : new Int32Array(own.buffer);
    weights.set(spec.name, { dtype: spec.dtype, shape: spec.shape, data });
  }
  const ops = new Map((model.modelTopology?.node ?? []).map((n) => [n.name, n.op]));
  return { weights, ops };
}

