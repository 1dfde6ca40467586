import * as tf from '@tensorflow/tfjs';
import { Tokenizer, UniversalSentenceEncoder } from '@tensorflow-models/universal-sentence-encoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSts } from '../../bench/datasets.js';
import type { LoadedEncoder } from '../../src/modules/encoder.js';
import { isAppError } from '../../src/errors.js';
import { loadGraphModelFromDir } from '../../src/modules/runtimes/tfjs/file-io.js';
import { cosineMatrix, dot } from '../../src/modules/similarity.js';
import { readVocabulary } from '../../src/modules/text/tokenizer.js';
import { bundledUseLiteDir } from '../../src/modules/use-lite.js';
import { loadUseLite, SENTENCES } from './use-lite-encoder.js';

describe('the USE-lite encoder, in-process', () => {
  let encoder: LoadedEncoder;

  beforeAll(async () => {
    encoder = await loadUseLite();
  });
  afterAll(() => encoder.close());

  it('describes itself as a 512-d sparse SentencePiece module on wasm', () => {
    expect(encoder.info).toMatchObject({ name: 'use-lite', dims: 512, backend: 'wasm', inputKind: 'sparse-sentencepiece' });
  });

  it('embeds texts as 512-d unit vectors, in input order', async () => {
    const vectors = await encoder.embed(SENTENCES);
    expect(vectors).toHaveLength(SENTENCES.length);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(512);
      expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
    }
    const again = await encoder.embed([SENTENCES[3]!, SENTENCES[0]!]);
    expect(dot(again[0]!, vectors[3]!)).toBeCloseTo(1, 5);
    expect(dot(again[1]!, vectors[0]!)).toBeCloseTo(1, 5);
  });

  it('places a paraphrase closer than an unrelated sentence', async () => {
    const [a, paraphrase, unrelated] = await encoder.embed([
      'A man is playing the guitar.',
      'Someone plays a guitar.',
      'The central bank raised interest rates again.',
    ]);
    const [[near, far]] = cosineMatrix([a!], [paraphrase!, unrelated!]) as [[number, number]];
    expect(near).toBeGreaterThan(0.6);
    expect(far).toBeLessThan(0.3);
  });

  it('gives the same vectors as the reference UniversalSentenceEncoder on STS-B sentences', async () => {
    const pairs = loadSts('dev');
    const texts = pairs ? [...new Set(pairs.slice(0, 30).flatMap((p) => [p.a, p.b]))] : SENTENCES;
    const dir = bundledUseLiteDir();
    const model = await loadGraphModelFromDir(dir);
    const use = new UniversalSentenceEncoder();
    // The reference class with the bundled files (its own load() fetches over HTTP).
    Object.assign(use, { model, tokenizer: new Tokenizer(await readVocabulary(dir)) });
    const ref = await use.embed(texts);
    const refRows = (await ref.array()) as number[][];
    ref.dispose();
    model.dispose();
    const ours = await encoder.embed(texts);
    ours.forEach((v, i) => expect(dot(v, Float32Array.from(refRows[i]!))).toBeGreaterThanOrEqual(0.9999));
  });

  it('merges calls made together into one batch', async () => {
    const before = encoder.stats();
    const texts = ['merge one', 'merge two is longer', 'merge three', 'merge four, the longest of them all', 'merge five'];
    const results = await Promise.all(texts.map((t) => encoder.embed([t])));
    const after = encoder.stats();
    expect(results.map((r) => r.length)).toEqual([1, 1, 1, 1, 1]);
    expect(after.batches - before.batches).toBe(1);
    expect(after.embedded - before.embedded).toBe(5);
  });

  it('answers a repeated text from the cache without running the model', async () => {
    const [first] = await encoder.embed(['a text seen twice']);
    const before = encoder.stats();
    const [second] = await encoder.embed(['a text seen twice']);
    const after = encoder.stats();
    expect(after.cacheHits - before.cacheHits).toBe(1);
    expect(after.batches).toBe(before.batches);
    expect(Array.from(second!)).toEqual(Array.from(first!));
    second![0] = 42;
    const [third] = await encoder.embed(['a text seen twice']);
    expect(third![0]).toBe(first![0]);
  });

  it('embeds identical texts once', async () => {
    const before = encoder.stats();
    const vectors = await encoder.embed(['twin text', 'twin text', 'other text', 'twin text']);
    const after = encoder.stats();
    expect(after.embedded - before.embedded).toBe(2);
    expect(after.deduped - before.deduped).toBe(2);
    expect(Array.from(vectors[3]!)).toEqual(Array.from(vectors[0]!));
  });

  it('embeds an empty text as the reference does mid-batch, wherever it sits', async () => {
    const [alone] = await encoder.embed(['']);
    encoder.clearCache();
    const [, last] = await encoder.embed(['not empty', '']);
    expect(alone!.length).toBe(512);
    expect(dot(alone!, last!)).toBeCloseTo(1, 5);
  });

  it('leaks no tensors', async () => {
    await encoder.embed(['warm up the leak check']);
    const before = tf.memory().numTensors;
    await encoder.embed(['leak check one', 'leak check two, a little longer', '']);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the embedding queue bound', () => {
  let small: LoadedEncoder;

  beforeAll(async () => {
    small = await loadUseLite({ queueMax: 4 });
  });
  afterAll(() => small.close());

  it('fails with OVERLOADED instead of queueing more texts than the bound', async () => {
    const first = small.embed(['one', 'two', 'three']);
    const second = small.embed(['four', 'five']).catch((e: unknown) => e);
    await expect(first).resolves.toHaveLength(3);
    const err = await second;
    expect(isAppError(err) && err.code).toBe('OVERLOADED');
    expect((err as Error).message).toContain('3 texts are waiting and this request adds 2 (limit 4)');
  });

  it('takes texts again once the queue has drained', async () => {
    await expect(small.embed(['four', 'five'])).resolves.toHaveLength(2);
  });
});
