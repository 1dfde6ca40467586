import { describe, expect, it } from 'vitest';
import { checkParity, MAX_ABS_DIFF, MIN_COSINE, PROBES } from '../../../src/modules/runtimes/onnx/parity.js';
import { readTfjsGraph, type TfjsGraph } from '../../../src/modules/runtimes/onnx/tfjs-weights.js';
import { buildUseLiteGraph } from '../../../src/modules/runtimes/onnx/use-lite-graph.js';
import { bundledUseLiteDir } from '../../../src/modules/use-lite.js';

const LAYER_NORM_SCALE = 'module_apply_default/Encoder_en/KonaTransformer/Encode/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat';

/** A copy of `graph` in which weight `name` is multiplied by `factor` (the original is untouched). */
function withScaledWeight(graph: TfjsGraph, name: string, factor: number): TfjsGraph {
  const weight = graph.weights.get(name);
  if (!weight) throw new Error(`no weight ${name}`);
  const weights = new Map(graph.weights);
  weights.set(name, { ...weight, data: Float32Array.from(weight.data, (v) => v * factor) });
  return { weights, ops: graph.ops };
}

describe('the parity check against tfjs', () => {
  it('passes the graph built from the bundled module on every probe', async () => {
    const built = buildUseLiteGraph(await readTfjsGraph(bundledUseLiteDir()));
    const result = await checkParity({ dir: bundledUseLiteDir(), model: built.bytes, maxTokens: built.maxTokens });
    console.log(`USE-lite ONNX vs tfjs-wasm over ${result.probes} probes: max |diff| ${result.maxAbsDiff.toExponential(3)}, min cosine ${result.minCosine.toFixed(9)}`);
    expect(result).toEqual({ passed: true, probes: PROBES.length, maxAbsDiff: expect.any(Number), minCosine: expect.any(Number) });
    expect(MAX_ABS_DIFF).toBe(1e-5);
    expect(MIN_COSINE).toBe(0.99999);
    expect(result.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(result.minCosine).toBeGreaterThanOrEqual(0.99999);
  });

  it('fails a graph built from altered weights, naming the worst probe', async () => {
    const real = await readTfjsGraph(bundledUseLiteDir());
    const wrong = buildUseLiteGraph(withScaledWeight(real, LAYER_NORM_SCALE, 1.01));
    // The reference still runs the real module directory.
    const result = await checkParity({ dir: bundledUseLiteDir(), model: wrong.bytes, maxTokens: wrong.maxTokens });
    console.log(`one LayerNorm scale x1.01: max |diff| ${result.maxAbsDiff.toExponential(3)}, min cosine ${result.minCosine.toFixed(9)}; ${result.reason}`);
    expect(result.passed).toBe(false);
    expect(result.probes).toBe(PROBES.length);
    expect(result.maxAbsDiff).toBeGreaterThan(1e-5);
    expect(result.reason).toMatch(/^probe \d+ \(".*"\), (batched|alone): max \|diff\| \d\.\d\de[-+]\d+, cosine \d\.\d{7}$/);
    // The worst probe is the one that set the maximum difference here (the cosine bound is looser relative to it).
    expect(result.reason).toContain(`max |diff| ${result.maxAbsDiff.toExponential(2)}`);
    const probe = Number(/^probe (\d+)/.exec(result.reason!)![1]);
    expect(result.reason).toContain(JSON.stringify(PROBES[probe]!.slice(0, 40)));
  });
});
