import { describe, expect, it } from 'vitest';
import { evaluate, evaluateSlices, sliceGap } from '../../../src/ml/heads/metrics.js';

describe('classification metrics', () => {
  it('computes accuracy, per-class scores, macro F1 and the confusion matrix as scikit-learn', () => {
    // y_true = [0,0,1,1,2,2], y_pred = [0,1,1,1,2,0]
    const e = evaluate([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], 3);
    expect(e.accuracy).toBeCloseTo(4 / 6);
    expect(e.confusion).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
    expect(e.perClass[1]).toMatchObject({ precision: 2 / 3, recall: 1, support: 2 });
    expect(e.perClass[1]!.f1).toBeCloseTo(0.8);
    // sklearn f1_score(average="macro") = (0.5 + 0.8 + 0.6667) / 3
    expect(e.macroF1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 6);
  });

  it('leaves classes absent from gold and predictions out of the macro F1', () => {
    const e = evaluate([0, 1], [0, 1], 3);
    expect(e.macroF1).toBe(1);
    expect(e.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('scores slices separately and reports the largest accuracy gap', () => {
    const gold = [0, 1, 0, 1, 0, 1];
    const pred = [0, 1, 0, 0, 1, 1];
    const slices = ['a', 'a', 'b', 'b', null, null];
    const per = evaluateSlices(gold, pred, 2, slices);
    expect(per.map((s) => [s.slice, s.n, s.accuracy])).toEqual([['a', 2, 1], ['b', 2, 0.5], [null, 2, 0.5]]);
    expect(sliceGap(per)).toEqual({ best: 'a', worst: 'b', gap: 0.5 });
    expect(sliceGap(per.slice(0, 1))).toBeNull();
  });
});
