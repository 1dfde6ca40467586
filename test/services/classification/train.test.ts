import { describe, expect, it } from 'vitest';
import type { LabelledRows } from '../../../src/ml/heads/logistic.js';
import { jsOps } from '../../../src/ml/heads/ops.js';
import { runTraining, type TrainTask } from '../../../src/services/classification/train.js';
import type { HeadKind } from '../../../src/store/types.js';


/** `perClass[c]` rows near corner c of the unit cube (scaled by 2), jittered by `seed`. */
function rows(perClass: number[], seed: number): LabelledRows {
  const x: number[] = [];
  const y: number[] = [];
  perClass.forEach((count, c) => {
    for (let i = 0; i < count; i++) {
      const jitter = ((i * 7 + seed * 3) % 11) / 10;
      x.push(...[0, 1, 2].map((d) => (d === c ? 2 : 0) + jitter * ((d + i) % 3 - 1)));
      y.push(c);
    }
  });
  return { x: Float32Array.from(x), y: Int32Array.from(y), n: y.length };
}

const TRAIN = rows([12, 12, 12], 1);
const VALIDATION = rows([4, 4, 4], 2);
const ALL: LabelledRows = { x: Float32Array.from([...TRAIN.x, ...VALIDATION.x]), y: Int32Array.from([...TRAIN.y, ...VALIDATION.y]), n: 48 };

function task(head: HeadKind, refit: boolean, over: Partial<TrainTask> = {}, epochs = head === 'DNN' ? 60 : 200): TrainTask {
  return {
    head, dims: 3, classes: 3, train: TRAIN, validation: VALIDATION, refit: refit ? { l2: 0.02 } : null,
    options: { l2: 0.01, balanced: false, epochs, hiddenUnits: [8], dropout: 0, batchSize: 8, learningRate: 0.01, patience: 5, seed: 1, k: 3 },
    ...over,
  };
}

describe('head training', () => {
  it('measures on the validation split, then refits on every row with the epochs early stopping chose', () => {
    for (const head of ['LOGISTIC', 'DNN'] as const) {
      const split = runTraining(task(head, false), jsOps);
      const refit = runTraining(task(head, true), jsOps);
      // the same validation predictions: both measured the training-split fit
      expect(Array.from(refit.validationPredicted!)).toEqual(Array.from(split.validationPredicted!));
      expect(split.fittedRows).toBe(36);
      expect(refit.fittedRows).toBe(48);
      expect(split.stats.refit).toBeUndefined();
      expect(refit.stats.refit).toMatchObject({ rows: 48, l2: 0.02 });
      const s = split.stats as Record<string, number | string>;
      const epochs = head === 'DNN' ? (s.bestEpoch as number) : s.reason === 'earlyStopping' ? (s.bestIteration as number) : 200;
      // the served network is exactly a fit on all 48 rows without validation, for those epochs and the refit's l2
      const plain = task(head, false, { train: ALL, validation: null }, epochs);
      const direct = runTraining({ ...plain, options: { ...plain.options, l2: 0.02 } }, jsOps);
      expect(direct.fittedRows).toBe(48);
      expect(Array.from(refit.params)).toEqual(Array.from(direct.params));
      expect(Array.from(refit.params)).not.toEqual(Array.from(split.params));
    }
  });

  it('counts a KNN head\'s neighbours as every labelled row when refitted', () => {
    expect(runTraining(task('KNN', true), jsOps).fittedRows).toBe(48);
    expect(runTraining(task('KNN', false), jsOps).fittedRows).toBe(36);
  });
});
