import * as tf from '@tensorflow/tfjs';
import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSts } from '../../bench/datasets.js';
import { sparseAdapter } from '../../src/modules/inputAdapter.js';
import { sparseIndices } from '../../src/modules/modelInput.js';
import { loadTokenizer, readVocabulary, type SentencePieceTokenizer } from '../../src/modules/tokenizer.js';
import { bundledUseLiteDir } from '../../src/modules/useLite.js';

const pairs = loadSts('dev');
if (!pairs) console.warn('tokenizer parity on STS-B skipped: stsbenchmark/sts-dev.csv is missing from the evaluation data (SEMHUB_EVAL_DATA)');

/** The sparse input exactly as UniversalSentenceEncoder.embed builds it (tfjs-models, dist/index.js). */
function referenceSparse(reference: Tokenizer, texts: string[]) {
  const encodings = texts.map((t) => reference.encode(t));
  const indices = encodings.flatMap((arr, i) => arr.map((_, index) => [i, index]));
  return { indices: indices.flat(), values: tf.util.flatten(encodings) as number[] };
}

describe('USE-lite tokenization', () => {
  let reference: Tokenizer;
  let ours: SentencePieceTokenizer;

  beforeAll(async () => {
    const dir = bundledUseLiteDir();
    reference = new Tokenizer(await readVocabulary(dir));
    ours = await loadTokenizer(dir);
  });

  it('gives the published ids for a known sentence', () => {
    expect(ours.encode('Hello world, this is a test.')).toEqual([341, 4125, 311, 8, 43, 18, 11, 748, 6]);
  });

  it.skipIf(!pairs)('builds the same sparse indices and values as the reference on every STS-B dev sentence', () => {
    const sentences = [...new Set(pairs!.flatMap((p) => [p.a, p.b]))];
    const adapter = sparseAdapter(ours);
    for (let i = 0; i < sentences.length; i += 32) {
      const batch = sentences.slice(i, i + 32);
      const packed = adapter.pack(batch.map((t) => adapter.prepare(t)));
      if (packed.kind !== 'sparse') throw new Error('expected a sparse batch');
      const expected = referenceSparse(reference, batch);
      expect(Array.from(packed.values)).toEqual(expected.values);
      expect(Array.from(sparseIndices(packed.lengths))).toEqual(expected.indices);
    }
    expect(sentences.length).toBeGreaterThan(2000);
  });

  it('normalizes to NFKC and merges runs of unknown characters as the reference does', () => {
    expect(ours.encode('ﬁne')).toEqual(ours.encode('fine'));
    for (const text of ['', ' ', 'naïve café', '東京 😀😀 ok', 'https://example.com :)']) {
      expect(ours.encode(text)).toEqual(reference.encode(text));
    }
  });
});
