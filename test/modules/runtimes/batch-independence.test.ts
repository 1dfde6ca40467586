import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedEncoder } from '../../../src/modules/encoder.js';
import { hashModuleDir } from '../../../src/modules/sources/hash.js';
import { dot } from '../../../src/modules/similarity.js';
import { bundledUseLiteDir } from '../../../src/modules/use-lite.js';
import { loadUseLite, testModuleCache } from '../use-lite-encoder.js';

const FILLER = 'the committee reviewed the quarterly figures and asked for a revised forecast';

/** Texts of very different lengths in SentencePiece tokens: 1, ~10, ~60, > 128 (cut), non-ASCII, empty. */
const TEXTS = [
  'ok',
  'A',
  'Two dogs are running through a field.',
  'A woman is slicing an onion while her friend reads the recipe aloud.',
  `After the storm had passed, the villagers gathered in the square to count the damage, ${FILLER}, and the mayor promised that every roof would be repaired before the first snow of winter arrived in the valley.`,
  Array.from({ length: 201 }, (_, i) => ['alpha', 'beta', 'gamma', 'delta', 'review', 'product', 'battery'][i % 7]).join(' '),
  `${FILLER}; `.repeat(12),
  'Ünïcödé façade — naïve café, 日本語のテキスト, emojis 🎉🚀 and ∑ symbols.',
  '東京は日本の首都です。',
  '',
  '\u00a0\u2003 ',
  'Order #4521 shipped on 2024-03-01 to Zürich!!! :)',
];

/** Sixty distinct STS-like sentences to mix the texts into. */
const OTHERS = Array.from({ length: 60 }, (_, i) => {
  const who = ['A man', 'A young girl', 'Two women', 'The old farmer', 'A group of students', 'Someone'][i % 6]!;
  const what = ['is playing a guitar', 'is cutting vegetables in the kitchen', 'rides a bicycle down a steep hill near the river', 'reads a newspaper', 'is talking on the phone while waiting for the bus to arrive at the station', 'sings', 'is painting a fence', 'walks a dog through the park on a rainy afternoon', 'is typing', 'swims in a lake'][Math.floor(i / 6)]!;
  return `${who} ${what}${i % 3 === 0 ? ' and smiles' : ''}.`;
});

/** A deterministic shuffle (mulberry32), so a failure reproduces. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Largest |diff| allowed between a text's vector in a batch and alone: float32 rounding only (6.7e-8 measured). */
const MAX_BATCH_DIFF = 2e-7;

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** Each text's vector from `encoder`, in every setting: alone, all together, mixed into shuffled batches. */
async function embedEverywhere(encoder: LoadedEncoder): Promise<{ seen: Map<string, Float32Array[]>; largestBatch: number }> {
  const seen = new Map<string, Float32Array[]>(TEXTS.map((t) => [t, []]));
  const keep = (texts: readonly string[], vectors: Float32Array[]) => texts.forEach((t, i) => seen.get(t)?.push(vectors[i]!));
  for (const t of TEXTS) {
    encoder.clearCache();
    keep([t], await encoder.embed([t]));
  }
  encoder.clearCache();
  keep(TEXTS, await encoder.embed(TEXTS));
  for (const seed of [1, 2]) {
    encoder.clearCache();
    const mixed = shuffled([...TEXTS, ...OTHERS], seed);
    keep(mixed, await encoder.embed(mixed));
  }
  // Many concurrent calls, merged by the queue into batches with neighbours of its choosing.
  encoder.clearCache();
  const calls = shuffled([...TEXTS.map((t) => [t]), ...Array.from({ length: 6 }, (_, i) => OTHERS.slice(i * 10, i * 10 + 10))], 3);
  const results = await Promise.all(calls.map((texts) => encoder.embed(texts)));
  calls.forEach((texts, i) => keep(texts, results[i]!));
  return { seen, largestBatch: encoder.stats().largestBatch };
}

describe('batch independence on onnx-cpu', () => {
  const cacheDir = testModuleCache();
  let reference: Float32Array[];
  let pooled: Awaited<ReturnType<typeof embedEverywhere>>;
  let inProcess: Awaited<ReturnType<typeof embedEverywhere>>;

  beforeAll(async () => {
    const sha256 = await hashModuleDir(bundledUseLiteDir());
    const tfjs = await loadUseLite({ backend: 'wasm' });
    try {
      reference = await tfjs.embed(TEXTS);
    } finally {
      await tfjs.close();
    }
    // Two workers, default token budget (runs of a few similar-length texts) and one thread with a
    // budget that pads whole batches to their longest text: the same text meets very different padding.
    for (const [workers, extra] of [[2, {}], [0, { tokenBudget: 16_384, maxBatch: 128 }]] as const) {
      const encoder = await loadUseLite({ backend: 'onnx-cpu', workers, cacheDir, sha256, ...extra });
      try {
        expect(encoder.info.backend).toBe('onnx-cpu');
        if (workers) pooled = await embedEverywhere(encoder);
        else inProcess = await embedEverywhere(encoder);
      } finally {
        await encoder.close();
      }
    }
  });

  it('mixes the texts into batches: small runs on the workers, the whole mixed set in one batch in-process', () => {
    expect(pooled.largestBatch).toBeGreaterThan(10);
    expect(inProcess.largestBatch).toBe(TEXTS.length + OTHERS.length);
  });

  it('gives a text alone the same vector on a worker and in-process', () => {
    for (const t of TEXTS) expect(maxAbsDiff(pooled.seen.get(t)![0]!, inProcess.seen.get(t)![0]!), JSON.stringify(t.slice(0, 30))).toBe(0);
  });

  it('gives every text the vector it gets alone, whatever its batch, bucket, worker or padding', () => {
    const alone = TEXTS.map((t) => pooled.seen.get(t)![0]!);
    let worst = 0;
    for (const [name, { seen }] of Object.entries({ pooled, inProcess })) {
      TEXTS.forEach((t, i) => {
        const vectors = seen.get(t)!;
        expect(vectors.length, `${name}: ${JSON.stringify(t.slice(0, 30))}`).toBe(5);
        for (const v of vectors) worst = Math.max(worst, maxAbsDiff(v, alone[i]!));
      });
    }
    console.log(`batch independence: max |diff| to the alone-vector ${worst.toExponential(3)} over ${TEXTS.length} texts x 5 settings x 2 encoders`);
    // Not bit-identical: a text padded or batched with others differs from its single-row run by
    // float32 rounding (6.7e-8 at most here, the same on every run), never by more than this.
    expect(worst).toBeLessThanOrEqual(MAX_BATCH_DIFF);
  });

  it('matches the tfjs reference to cosine 0.99999 on every text', () => {
    let minCosine = 1;
    for (const { seen } of [pooled, inProcess]) {
      TEXTS.forEach((t, i) => {
        for (const v of seen.get(t)!) minCosine = Math.min(minCosine, dot(v, reference[i]!));
      });
    }
    console.log(`batch independence: min cosine to tfjs-wasm ${minCosine.toFixed(9)}`);
    expect(minCosine).toBeGreaterThanOrEqual(0.99999);
  });
});
