import { describe, expect, it } from 'vitest';
import { dnnBatchSize, planTraining } from '../../../src/services/classification/params.js';

describe('trainClassifier arguments', () => {
  it('fills in the defaults per head', () => {
    expect(planTraining({ name: 'a', labelKey: 'label' })).toMatchObject({
      head: 'LOGISTIC', validationSplit: 0.2, seed: 0, classWeight: 'NONE', epochs: 1000, l2: null, sliceBy: null, filter: null,
    });
    expect(planTraining({ name: 'a', labelKey: 'label', head: 'DNN' })).toMatchObject({ hiddenUnits: [256], dropout: 0.1, l2: 0, epochs: 100 });
    expect(planTraining({ name: 'a', labelKey: 'label', head: 'DNN', validationSplit: 0 })).toMatchObject({ epochs: 20 });
    expect(planTraining({ name: 'a', labelKey: 'meta.label', head: 'KNN' })).toMatchObject({ k: 10 });
    expect([10, 160, 640, 100_000].map(dnnBatchSize)).toEqual([8, 10, 40, 64]);
  });

  it('refuses what a head does not take and values out of range, naming the argument', () => {
    const bad = (extra: object) => () => planTraining({ name: 'a', labelKey: 'label', ...extra });
    expect(bad({ head: 'KNN', hiddenUnits: [4] })).toThrow('hiddenUnits applies to DNN heads only, not KNN');
    expect(bad({ k: 3 })).toThrow('k applies to KNN heads only, not LOGISTIC');
    expect(bad({ head: 'KNN', epochs: 3 })).toThrow(/epochs applies to LOGISTIC and DNN/);
    expect(bad({ validationSplit: 0.6 })).toThrow('validationSplit must be between 0 and 0.5, got 0.6');
    expect(bad({ sliceBy: 'lang', validationSplit: 0 })).toThrow(/sliceBy scores the validation split/);
    expect(bad({ head: 'DNN', hiddenUnits: [0] })).toThrow('hiddenUnits[0] must be an integer from 1 to 4096, got 0');
    expect(bad({ head: 'DNN', hiddenUnits: [] })).toThrow(/1 to 4 layer sizes/);
    expect(bad({ seed: -1 })).toThrow(/seed must be an integer/);
    expect(bad({ l2: -1 })).toThrow(/l2 must be a number/);
    expect(bad({ name: 'x'.repeat(49) })).toThrow(/1-48 characters/);
    expect(bad({ labelKey: 'bad key' })).toThrow(/not a valid metadata key/);
    expect(bad({ filter: { label: { near: 1 } } })).toThrow(/unknown operator/);
  });
});
