import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRng } from '../../src/ml/prng.js';
import { GraphBuilder } from '../../src/modules/runtimes/onnx/graph.js';
import { DataType } from '../../src/modules/runtimes/onnx/proto.js';
import { readTfjsGraph } from '../../src/modules/runtimes/onnx/tfjs-weights.js';
import { bundledUseLiteDir } from '../../src/modules/use-lite.js';

/** Output dimensions of the bag-of-pieces module (USE-lite gives 512: the two are told apart by their dims). */
export const BAG_DIMS = 192;

let graph: Promise<Uint8Array> | undefined;

/**
 * A second real module for module migrations: a bag of SentencePiece pieces, as simple sentence
 * encoders averaged word vectors (Arora et al. 2017 without the weighting). A text's vector is the
 * mean of USE-lite's own 256-d piece embeddings over its tokens, projected to BAG_DIMS by a fixed
 * Gaussian matrix (seeded), then L2-normalized: similar sentences stay close, but its vectors and
 * scores differ from USE-lite's, and it embeds several times faster. An ONNX graph with the
 * inputs of semhub's dense modules (`ids` int32 and `mask` float32 [batch, tokens]), built once per
 * test process from the bundled module's weights.
 */
export function bagOnnxBytes(): Promise<Uint8Array> {
  graph ??= readTfjsGraph(bundledUseLiteDir()).then((tf) => {
    const table = tf.weights.get('module/Embeddings_en');
    if (!table || table.dtype !== 'float32') throw new Error('USE-lite has no float32 piece embeddings');
    const width = table.shape[1]!;
    const rng = createRng(15);
    const next = () => rng.next();
    const projection = Float32Array.from({ length: width * BAG_DIMS }, () => gaussian(next) / Math.sqrt(width));
    const g = new GraphBuilder();
    const ids = g.input('ids', DataType.INT32, ['batch', 'tokens']);
    const mask = g.input('mask', DataType.FLOAT, ['batch', 'tokens']);
    const axis1 = g.int64('axis1', [1]);
    const pieces = g.op('Gather', [g.float('piece_embeddings', table.data as Float32Array, table.shape), ids], { axis: 0 }, 'pieces');
    const masked = g.op('Mul', [pieces, g.op('Unsqueeze', [mask, g.int64('axis2', [2])])], {}, 'masked');
    const summed = g.op('ReduceSum', [masked, axis1], { keepdims: 0 }, 'summed');
    const count = g.op('Max', [g.op('ReduceSum', [mask, axis1], { keepdims: 1 }), g.float('one', [1], [])], {}, 'count');
    const projected = g.op('MatMul', [g.op('Div', [summed, count], {}, 'mean'), g.float('projection', projection, [width, BAG_DIMS])], {}, 'projected');
    const norm = g.op('Sqrt', [g.op('Max', [g.op('ReduceSum', [g.op('Mul', [projected, projected]), axis1], { keepdims: 1 }), g.float('epsilon', [1e-12], [])])]);
    g.alias(g.op('Div', [projected, norm], {}, 'normalized'), 'embeddings');
    g.output('embeddings', DataType.FLOAT, ['batch', BAG_DIMS]);
    return g.encode({ graphName: 'bag-of-pieces', producerVersion: 'semhub-test-1', docString: 'mean of USE-lite piece embeddings, randomly projected (tests)' });
  });
  return graph;
}

/** A standard normal draw (Box-Muller) from a uniform [0, 1) generator. */
function gaussian(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

/** Writes the bag-of-pieces module in ONNX form to `dir` (created if needed): model.onnx and USE-lite's vocab.json. Returns `dir`. */
export async function writeBagModule(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.onnx'), await bagOnnxBytes());
  await copyFile(path.join(bundledUseLiteDir(), 'vocab.json'), path.join(dir, 'vocab.json'));
  return dir;
}
