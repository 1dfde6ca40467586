import { loadTokenizer } from '../../text/tokenizer.js';
import { createOnnxRunner } from './runner.js';
import { createOnnxSession } from './session.js';

/** Largest absolute difference allowed between an ONNX vector and the tfjs reference's, per component. */
export const MAX_ABS_DIFF = 1e-5;
/** Smallest cosine allowed between an ONNX vector and the tfjs reference's. */
export const MIN_COSINE = 0.99999;

/**
 * The fixed probe set: short and long sentences, one cut at 128 tokens, non-ASCII text (with
 * `<unk>` pieces mid-text), punctuation only, and texts empty after normalisation.
 */
export const PROBES: readonly string[] = [
  'A man is playing a guitar.',
  'The quick brown fox jumps over the lazy dog while the farmer, who had been watching from the porch since dawn, finally decides to put down his coffee and chase them both out of the vegetable garden.',
  Array.from({ length: 201 }, (_, i) => ['alpha', 'beta', 'gamma', 'delta', 'review', 'product', 'battery'][i % 7]).join(' '),
  'Ünïcödé façade — naïve café, 日本語のテキスト, emojis 🎉🚀 and ∑ symbols.',
  'x 日本 y',
  'Terrible!!! Would NOT buy again :( 1/10',
  'ok',
  '',
  '\u00a0\u2003 ',
];

export interface ParityResult {
  passed: boolean;
  probes: number;
  maxAbsDiff: number;
  minCosine: number;
  /** Why it failed (the worst probe), when it did. */
  reason?: string;
}

/**
 * Embeds {@link PROBES} with the module's TF.js graph on tfjs-wasm (the reference pipeline) and
 * with `model` on ONNX Runtime's CPU provider, and compares every vector: the graph passes when
 * every component is within {@link MAX_ABS_DIFF} and every cosine at least {@link MIN_COSINE}.
 * The probes run together and one by one on ONNX Runtime, so batching is checked too.
 */
export async function checkParity(opts: { dir: string; model: Uint8Array; maxTokens: number }): Promise<ParityResult> {
  const { loadTfjsRunner } = await import('../tfjs/runner.js');
  const reference = await loadTfjsRunner({ dir: opts.dir, inputKind: 'sparse-sentencepiece', backend: 'wasm' });
  const onnx = await createOnnxRunner({
    session: await createOnnxSession(opts.model, 'onnx-cpu'),
    backend: 'onnx-cpu',
    tokenizer: await loadTokenizer(opts.dir),
    maxTokens: opts.maxTokens,
    tokenBudget: 4096,
    maxRows: 64,
  });
  try {
    const want = await reference.run(PROBES);
    const dims = reference.dims;
    const together = await onnx.run(PROBES);
    const alone = new Float32Array(together.length);
    for (let i = 0; i < PROBES.length; i++) alone.set(await onnx.run([PROBES[i]!]), i * dims);
    let maxAbsDiff = 0;
    let minCosine = 1;
    // The worst probe by how far it is from its bounds (diff over the diff bound, 1 - cosine over 1 - the cosine bound).
    let worst = { score: -1, reason: '' };
    for (const [run, got] of [['batched', together], ['alone', alone]] as const) {
      for (let i = 0; i < PROBES.length; i++) {
        let cos = 0;
        let diff = 0;
        for (let k = 0; k < dims; k++) {
          const a = got[i * dims + k]!;
          const b = want[i * dims + k]!;
          cos += a * b;
          diff = Math.max(diff, Math.abs(a - b));
        }
        const score = Number.isFinite(diff) && Number.isFinite(cos) ? Math.max(diff / MAX_ABS_DIFF, (1 - cos) / (1 - MIN_COSINE)) : Infinity;
        if (score > worst.score) worst = { score, reason: `probe ${i} (${JSON.stringify(PROBES[i]!.slice(0, 40))}), ${run}: max |diff| ${diff.toExponential(2)}, cosine ${cos.toFixed(7)}` };
        maxAbsDiff = Number.isFinite(diff) ? Math.max(maxAbsDiff, diff) : Infinity;
        minCosine = Number.isFinite(cos) ? Math.min(minCosine, cos) : -Infinity;
      }
    }
    const passed = maxAbsDiff <= MAX_ABS_DIFF && minCosine >= MIN_COSINE;
    return { passed, probes: PROBES.length, maxAbsDiff, minCosine, ...(passed ? {} : { reason: worst.reason }) };
  } finally {
    await Promise.all([reference.dispose(), onnx.dispose()]);
  }
}
