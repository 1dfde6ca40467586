import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a tiny TF.js graph model with one string input to `dir`: text → StringToHashBucketFast(16)
 * → OneHot → MatMul with a [16, 4] weight, so a text maps to one of 16 distinct 4-d rows. It stands
 * in for a string-input module (inputKind "text") without downloading one.
 */
export async function writeTextModel(dir: string): Promise<void> {
  const buckets = 16;
  const dims = 4;
  const weights = new Float32Array(buckets * dims);
  for (let i = 0; i < buckets; i++) weights.set([1, i, (i * i) / 10, Math.sin(i)], i * dims);
  const consts = [
    { name: 'depth', shape: [], dtype: 'int32', data: Int32Array.of(buckets) },
    { name: 'on', shape: [], dtype: 'float32', data: Float32Array.of(1) },
    { name: 'off', shape: [], dtype: 'float32', data: Float32Array.of(0) },
    { name: 'w', shape: [buckets, dims], dtype: 'float32', data: weights },
  ];
  const node = (name: string, op: string, input: string[] = [], attr: object = {}) => ({ name, op, input, attr });
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'semhub tests',
    modelTopology: {
      node: [
        node('text', 'Placeholder', [], { dtype: { type: 'DT_STRING' }, shape: { shape: { dim: [{ size: '-1' }] } } }),
        node('hash', 'StringToHashBucketFast', ['text'], { num_buckets: { i: String(buckets) } }),
        ...consts.map((c) => node(c.name, 'Const', [], { dtype: { type: c.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' } })),
        node('onehot', 'OneHot', ['hash', 'depth', 'on', 'off'], { axis: { i: '-1' }, T: { type: 'DT_FLOAT' } }),
        node('embedding', 'MatMul', ['onehot', 'w'], { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } }),
      ],
      versions: { producer: 1 },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: consts.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  const shard = Buffer.concat(consts.map((c) => Buffer.from(c.data.buffer)));
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(path.join(dir, 'group1-shard1of1.bin'), shard);
}
