import { describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  clusterMetrics,
  homogeneityCompletenessVMeasure,
  normalizedMutualInfo,
} from '../../src/ml/cluster-metrics.js';
import { createRng } from '../../src/ml/prng.js';
import { itIfPresent } from '../support/requires.js';
import { python, sklearnMissing } from './support.js';

describe('cluster metrics', () => {
  it('scores identical and permuted labellings as perfect', () => {
    expect(clusterMetrics([0, 0, 1, 1], [0, 0, 1, 1])).toEqual({ nmi: 1, ari: 1, homogeneity: 1, completeness: 1, vMeasure: 1 });
    const m = clusterMetrics(['a', 'a', 'b', 'b'], Int32Array.from([7, 7, 3, 3]));
    expect(m.ari).toBe(1);
    expect(m.nmi).toBeCloseTo(1, 12);
    expect(m.vMeasure).toBeCloseTo(1, 12);
  });

  it('matches hand-computed values for a split class', () => {
    // gold [0,0,1,1] vs pred [0,0,1,2]: H(C) = ln 2, H(K) = 1.5 ln 2, MI = ln 2
    const m = clusterMetrics([0, 0, 1, 1], [0, 0, 1, 2]);
    expect(m.homogeneity).toBeCloseTo(1, 12);
    expect(m.completeness).toBeCloseTo(2 / 3, 12);
    expect(m.vMeasure).toBeCloseTo(0.8, 12);
    expect(m.nmi).toBeCloseTo(0.8, 12);
    // pairs: tp = 2, fp = 0, fn = 2, tn = 8 -> 2 * 16 / (4 * 10 + 2 * 8)
    expect(m.ari).toBeCloseTo(32 / 56, 12);
  });

  it('scores an independent labelling at zero mutual information and negative ARI', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
    expect(normalizedMutualInfo([0, 0, 1, 1], [0, 1, 0, 1])).toBe(0);
    expect(homogeneityCompletenessVMeasure([0, 0, 1, 1], [0, 1, 0, 1])).toEqual({ homogeneity: 0, completeness: 0, vMeasure: 0 });
  });

  it('follows scikit-learn on single-label edge cases', () => {
    expect(normalizedMutualInfo([1, 1, 1], [2, 2, 2])).toBe(1);
    expect(adjustedRandIndex([1, 1, 1], [2, 2, 2])).toBe(1);
    expect(homogeneityCompletenessVMeasure([1, 1, 1], [0, 1, 2]).homogeneity).toBe(1);
    expect(() => clusterMetrics([1, 2], [1])).toThrow('2 gold labels but 1 predicted');
  });

  itIfPresent(sklearnMissing, 'agrees with scikit-learn on a random labelling', () => {
    const rng = createRng(5);
    const gold = Array.from({ length: 500 }, () => `class-${rng.int(5)}`);
    const pred = Array.from({ length: 500 }, () => rng.int(7));
    const ours = clusterMetrics(gold, pred);
    const theirs = python<typeof ours>(
      `import json, sys
from sklearn import metrics as m
d = json.load(sys.stdin)
h, c, v = m.homogeneity_completeness_v_measure(d["gold"], d["pred"])
print(json.dumps({"nmi": m.normalized_mutual_info_score(d["gold"], d["pred"]), "ari": m.adjusted_rand_score(d["gold"], d["pred"]),
  "homogeneity": h, "completeness": c, "vMeasure": v}))`,
      { gold, pred },
    );
    for (const key of Object.keys(ours) as (keyof typeof ours)[]) expect(ours[key]).toBeCloseTo(theirs[key], 10);
  });
});
