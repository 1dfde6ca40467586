import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/modules/runtimes/onnx/graph.js';
import { DataType } from '../../../src/modules/runtimes/onnx/proto.js';
import { createOnnxSession, ort } from '../../../src/modules/runtimes/onnx/session.js';
import { readTfjsGraph, type TfjsGraph } from '../../../src/modules/runtimes/onnx/tfjs-weights.js';
import { buildUseLiteGraph, refuseUseLite, type BuiltGraph } from '../../../src/modules/runtimes/onnx/use-lite-graph.js';
import { bundledUseLiteDir } from '../../../src/modules/use-lite.js';
import { writeTextModel } from '../text-model.js';

describe('the USE-lite ONNX graph builder', () => {
  let tfjsGraph: TfjsGraph;
  let built: BuiltGraph;
  let session: ort.InferenceSession;

  beforeAll(async () => {
    tfjsGraph = await readTfjsGraph(bundledUseLiteDir());
    built = buildUseLiteGraph(tfjsGraph);
    session = await createOnnxSession(built.bytes, 'onnx-cpu');
  });
  afterAll(() => session?.release());

  it('recognises the bundled module as USE-lite', () => {
    expect(refuseUseLite(tfjsGraph)).toBeNull();
  });

  it('builds a dense graph of about 80-100 nodes reading at most 128 tokens', () => {
    expect(built.nodes).toBeGreaterThanOrEqual(80);
    expect(built.nodes).toBeLessThanOrEqual(100);
    expect(built.maxTokens).toBe(128);
    expect(built.dims).toBe(512);
  });

  it('gives a graph ONNX Runtime loads, with inputs ids and mask and output embeddings [batch, 512]', () => {
    const meta = Object.fromEntries(session.inputMetadata.map((m) => [m.name, m]));
    expect(session.inputNames).toEqual(['ids', 'mask']);
    expect(meta.ids).toMatchObject({ isTensor: true, type: 'int32', shape: ['batch', 'tokens'] });
    expect(meta.mask).toMatchObject({ isTensor: true, type: 'float32', shape: ['batch', 'tokens'] });
    expect(session.outputNames).toEqual(['embeddings']);
    expect(session.outputMetadata[0]).toMatchObject({ isTensor: true, type: 'float32', shape: ['batch', 512] });
  });

  it('embeds a padded batch as unit vectors of 512, padding masked out', async () => {
    // Row 0: five ids; row 1: two ids and three padding positions (ids 0, mask 0); row 2: none.
    const ids = Int32Array.from([30, 61, 1021, 7, 9, 30, 61, 0, 0, 0, 0, 0, 0, 0, 0]);
    const mask = Float32Array.from([1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const out = await session.run({ ids: new ort.Tensor('int32', ids, [3, 5]), mask: new ort.Tensor('float32', mask, [3, 5]) });
    const vectors = out.embeddings!;
    expect(vectors.dims).toEqual([3, 512]);
    const data = vectors.data as Float32Array;
    for (let r = 0; r < 3; r++) {
      const row = data.subarray(r * 512, (r + 1) * 512);
      expect(row.every(Number.isFinite)).toBe(true);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
    // Row 1 alone, unpadded, must give the same vector as row 1 padded to 5 tokens.
    const alone = await session.run({ ids: new ort.Tensor('int32', Int32Array.from([30, 61]), [1, 2]), mask: new ort.Tensor('float32', Float32Array.from([1, 1]), [1, 2]) });
    const row1 = data.subarray(512, 1024);
    const single = alone.embeddings!.data as Float32Array;
    expect(Math.max(...row1.map((v, i) => Math.abs(v - single[i]!)))).toBeLessThanOrEqual(1e-6);
  });

  it('writes the same bytes each time (the cache keys on the builder, not on the run)', async () => {
    const again = buildUseLiteGraph(await readTfjsGraph(bundledUseLiteDir()));
    expect(Buffer.from(again.bytes).equals(Buffer.from(built.bytes))).toBe(true);
  });

  it('refuses the string-input text model, saying how its ops differ', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'semhub-text-model-'));
    await writeTextModel(dir);
    const text = await readTfjsGraph(dir);
    const reason = refuseUseLite(text);
    expect(reason).toMatch(/^its ops differ from USE-lite's: /);
    expect(reason).toMatch(/StringToHashBucketFast 1 \(USE-lite 0\)/);
    expect(() => buildUseLiteGraph(text)).toThrow(/^not a USE-lite graph: its ops differ/);
  });

  it('refuses a graph with USE-lite\'s ops but no indices/values inputs', () => {
    const ops = new Map([...tfjsGraph.ops].map(([name, op]) => [name === 'indices' ? 'ids' : name, op]));
    expect(refuseUseLite({ weights: tfjsGraph.weights, ops })).toBe('it has no indices/values inputs');
  });
});

describe('the ONNX protobuf writer', () => {
  // A hand-built graph whose attributes cover every kind the writer emits: negative ints (axis -1,
  // 10-byte varints), ints lists with negative and > 32-bit values, floats, float lists and a string.
  const g = new GraphBuilder();
  const x = g.input('x', DataType.FLOAT, ['rows', 4]);
  const ln = g.op('LayerNormalization', [x, g.float('scale', [1, 2, 0.5, -1], [4]), g.float('bias', [0, 0.25, -0.5, 1], [4])], { axis: -1, epsilon: { float: 0.75 } }, 'layer_norm');
  const leaky = g.op('LeakyRelu', [x], { alpha: { float: 0.125 } }, 'leaky');
  const rowMax = g.op('ReduceMax', [x], { axes: [-1], keepdims: 0 }, 'row_max');
  const last = g.op('Gather', [x, g.int64('last_index', [-1], [])], { axis: -1 }, 'last_column');
  const softmax = g.op('Softmax', [x], { axis: -1 }, 'softmax');
  const padded = g.op('Pad', [x, g.int64('pads', [0, 1, 0, 1])], { mode: 'reflect' }, 'padded');
  const floats = g.op('Constant', [], { value_floats: { floats: [1.5, -2.25, 3e-8] } }, 'floats');
  const ints = g.op('Constant', [], { value_ints: [-1, 300, -70000, 2 ** 40] }, 'ints');
  const negative = g.op('Constant', [], { value_int: -5 }, 'negative');
  for (const [name, shape] of [[ln, ['rows', 4]], [leaky, ['rows', 4]], [rowMax, ['rows']], [last, ['rows']], [softmax, ['rows', 4]], [padded, ['rows', 6]], [floats, [3]]] as const) {
    g.output(name, DataType.FLOAT, shape);
  }
  g.output(ints, DataType.INT64, [4]);
  g.output(negative, DataType.INT64, []);
  const bytes = g.encode({ graphName: 'writer-check', producerVersion: 'test', docString: 'a writer round trip', metadata: { purpose: 'test' } });

  const input = [
    [1, -2, 3, 0.5],
    [-4, 8, 0, 2],
  ];

  it('writes a model ONNX Runtime accepts and runs to the expected numbers', async () => {
    const session = await createOnnxSession(bytes, 'onnx-cpu');
    try {
      expect(session.inputNames).toEqual(['x']);
      expect(session.outputNames).toEqual([ln, leaky, rowMax, last, softmax, padded, floats, ints, negative]);
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(input.flat()), [2, 4]) });
      const rows = (name: string, width: number) => {
        const data = [...(out[name]!.data as Float32Array)];
        return input.map((_, r) => data.slice(r * width, (r + 1) * width));
      };
      const close = (got: number[][], want: number[][]) => got.forEach((row, r) => row.forEach((v, i) => expect(v).toBeCloseTo(want[r]![i]!, 5)));

      const scale = [1, 2, 0.5, -1];
      const bias = [0, 0.25, -0.5, 1];
      close(
        rows(ln, 4),
        input.map((row) => {
          const mean = row.reduce((a, b) => a + b) / 4;
          const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
          return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 0.75)) * scale[i]! + bias[i]!);
        }),
      );
      close(rows(leaky, 4), input.map((row) => row.map((v) => (v < 0 ? v * 0.125 : v))));
      expect([...(out[rowMax]!.data as Float32Array)]).toEqual([3, 8]);
      expect([...(out[last]!.data as Float32Array)]).toEqual([0.5, 2]);
      close(
        rows(softmax, 4),
        input.map((row) => {
          const e = row.map((v) => Math.exp(v - Math.max(...row)));
          const sum = e.reduce((a, b) => a + b);
          return e.map((v) => v / sum);
        }),
      );
      expect(rows(padded, 6)).toEqual(input.map((row) => [row[1], ...row, row[2]]));
      expect([...(out[floats]!.data as Float32Array)]).toEqual([1.5, -2.25, Math.fround(3e-8)]);
      expect([...(out[ints]!.data as BigInt64Array)]).toEqual([-1n, 300n, -70000n, 2n ** 40n]);
      expect(out[negative]!.dims).toEqual([]);
      expect([...(out[negative]!.data as BigInt64Array)]).toEqual([-5n]);
    } finally {
      await session.release();
    }
  });
});
