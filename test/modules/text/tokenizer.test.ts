import * as tf from '@tensorflow/tfjs';
import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSts } from '../../../bench/datasets.js';
import { packTokens, sparseIndices } from '../../../src/modules/text/model-input.js';
import { loadTokenizer, MAX_SEGMENTS, readVocabulary, type SentencePieceTokenizer } from '../../../src/modules/text/tokenizer.js';
import { bundledUseLiteDir } from '../../../src/modules/use-lite.js';
import { evalDataMissing, itIfPresent } from '../../support/requires.js';

const pairs = loadSts('dev');

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

  itIfPresent(evalDataMissing('stsbenchmark/sts-dev.csv', pairs), 'builds the same sparse indices and values as the reference on every STS-B dev sentence', () => {
    const sentences = [...new Set(pairs!.flatMap((p) => [p.a, p.b]))];
    for (let i = 0; i < sentences.length; i += 32) {
      const batch = sentences.slice(i, i + 32);
      const packed = packTokens(batch.map((t) => ours.encode(t)));
      const expected = referenceSparse(reference, batch);
      expect(Array.from(packed.values)).toEqual(expected.values);
      expect(Array.from(sparseIndices(packed.lengths))).toEqual(expected.indices);
    }
    expect(sentences.length).toBeGreaterThan(2000);
  });

  it('cuts a long text at a space, keeping exactly the first ids of the reference', async () => {
    const vocab = await readVocabulary(bundledUseLiteDir());
    expect(vocab.filter(([piece]) => piece.indexOf('\u2581', 1) > 0)).toEqual([]);
    const words = 'Results :) of the ﬁrst  study, naïvely re-run in 2019; see https://example.org/x?y=1'.split(' ');
    const long = Array.from({ length: 1500 }, (_, i) => words[i % words.length]).join(' ');
    const started = performance.now();
    const ids = ours.encode(long);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(ids.length).toBeGreaterThanOrEqual(MAX_SEGMENTS);
    expect(ids).toEqual(reference.encode(long).slice(0, ids.length));
  });

  it('tokenizes a 64 KB text without spaces in well under a second', () => {
    const started = performance.now();
    expect(ours.encode('x'.repeat(65_536)).length).toBeGreaterThan(100);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('normalizes to NFKC and merges runs of unknown characters as the reference does', () => {
    expect(ours.encode('ﬁne')).toEqual(ours.encode('fine'));
    for (const text of ['', ' ', 'naïve café', '東京 😀😀 ok', 'https://example.com :)']) {
      expect(ours.encode(text)).toEqual(reference.encode(text));
    }
  });
});
