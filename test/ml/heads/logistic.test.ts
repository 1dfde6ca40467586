import { describe, expect, it } from 'vitest';
import { classWeights, rowWeights } from '../../../src/ml/heads/class-weights.js';
import { trainLogistic } from '../../../src/ml/heads/logistic.js';
import { evaluate } from '../../../src/ml/heads/metrics.js';
import { argmaxRows, predictProbabilities } from '../../../src/ml/heads/net.js';
import { jsOps } from '../../../src/ml/heads/ops.js';
import { itIfPresent } from '../../support/requires.js';
import { python, sklearnMissing } from '../support.js';
import { accuracyOf, gaussianClasses, part } from './support.js';

const base = { l2: 1e-3, rowWeights: null, maxIterations: 300 };

describe('logistic head', () => {
  it('recovers separable classes (multinomial, 4 classes)', () => {
    const data = gaussianClasses({ counts: [100, 100, 100, 100], dims: 8, seed: 1 });
    const { net, stats } = trainLogistic(part(data, 0, 300), null, { ...base, classes: 4, dims: 8 }, jsOps);
    expect(net.layers).toEqual([8, 4]);
    const test = part(data, 300, 400);
    expect(accuracyOf(predictProbabilities(net, test.x, test.n, jsOps), test.y, 4)).toBeGreaterThanOrEqual(0.97);
    expect(['gtol', 'ftol']).toContain(stats.reason);
  });

  it('fits two classes with one binomial logit and serves them as a two-class softmax', () => {
    const data = gaussianClasses({ counts: [80, 80], dims: 5, seed: 2, spread: 4 });
    const { net } = trainLogistic(part(data, 0, 120), null, { ...base, classes: 2, dims: 5 }, jsOps);
    const test = part(data, 120, 160);
    const p = predictProbabilities(net, test.x, test.n, jsOps);
    for (let i = 0; i < test.n; i++) expect(p[2 * i]! + p[2 * i + 1]!).toBeCloseTo(1, 5);
    expect(accuracyOf(p, test.y, 2)).toBeGreaterThanOrEqual(0.9);
  });

  it('reaches a vanishing gradient, and a stronger penalty costs training loss', () => {
    const data = gaussianClasses({ counts: [60, 60, 60], dims: 4, seed: 3, noise: 2 });
    const { stats } = trainLogistic(data, null, { ...base, classes: 3, dims: 4, l2: 0.1, gtol: 1e-6, ftol: 0 }, jsOps);
    expect(stats.reason).toBe('gtol');
    const strong = trainLogistic(data, null, { ...base, classes: 3, dims: 4, l2: 1, gtol: 1e-6, ftol: 0 }, jsOps);
    expect(strong.stats.trainLoss).toBeGreaterThan(stats.trainLoss);
  });

  itIfPresent(sklearnMissing, 'gives the probabilities of scikit-learn LogisticRegression at the same C', () => {
    for (const counts of [[70, 50], [40, 60, 50]]) {
      const data = gaussianClasses({ counts, dims: 5, seed: 9, spread: 2, noise: 1.5 });
      const classes = counts.length;
      // scikit-learn minimises C·Σ loss + ½‖W‖²; ours is that divided by C·n
      const { net } = trainLogistic(data, null, { ...base, classes, dims: 5, l2: 1 / data.n, gtol: 1e-7, ftol: 0, maxIterations: 1000 }, jsOps);
      const ours = predictProbabilities(net, data.x, data.n, jsOps);
      const theirs = python<number[][]>(
        'import json,sys,numpy as np\nfrom sklearn.linear_model import LogisticRegression\nd=json.load(sys.stdin)\n' +
          'm=LogisticRegression(C=1.0,tol=1e-10,max_iter=10000).fit(np.array(d["x"]).reshape(-1,5),d["y"])\nprint(json.dumps(m.predict_proba(np.array(d["x"]).reshape(-1,5)).tolist()))',
        { x: Array.from(data.x), y: Array.from(data.y) },
      );
      theirs.forEach((row, i) => row.forEach((p, c) => expect(ours[i * classes + c]!).toBeCloseTo(p, 3)));
    }
  });

  it('lifts minority recall and balanced accuracy on a 9:1 imbalance with balanced class weights', () => {
    const data = gaussianClasses({ counts: [900, 100], dims: 6, seed: 4, spread: 1.2, noise: 1 });
    const train = part(data, 0, 700);
    const test = part(data, 700, 1000);
    const plain = trainLogistic(train, null, { ...base, classes: 2, dims: 6 }, jsOps);
    const weighted = trainLogistic(train, null, { ...base, classes: 2, dims: 6, rowWeights: rowWeights(train.y, classWeights(train.y, 2, true)) }, jsOps);
    const score = (net: typeof plain.net) => evaluate(test.y, argmaxRows(predictProbabilities(net, test.x, test.n, jsOps), test.n, 2), 2);
    const a = score(plain.net);
    const b = score(weighted.net);
    const balancedAccuracy = (e: typeof a) => (e.perClass[0]!.recall + e.perClass[1]!.recall) / 2;
    expect(b.perClass[1]!.recall).toBeGreaterThan(a.perClass[1]!.recall + 0.1);
    expect(balancedAccuracy(b)).toBeGreaterThan(balancedAccuracy(a) + 0.03);
  });

  it('is deterministic: the same data give bit-identical weights', () => {
    const data = gaussianClasses({ counts: [50, 50, 50], dims: 6, seed: 5 });
    const a = trainLogistic(data, null, { ...base, classes: 3, dims: 6 }, jsOps);
    const b = trainLogistic(data, null, { ...base, classes: 3, dims: 6 }, jsOps);
    expect(Buffer.from(a.net.params.buffer).equals(Buffer.from(b.net.params.buffer))).toBe(true);
  });

  it('stops early when the validation loss stops improving and keeps the best iterate', () => {
    // few noisy rows in many dimensions without a penalty: the fit runs off to overfit
    const data = gaussianClasses({ counts: [40, 40], dims: 60, seed: 6, spread: 0.6, noise: 1 });
    const train = part(data, 0, 40);
    const validation = part(data, 40, 80);
    const { stats } = trainLogistic(train, validation, { ...base, classes: 2, dims: 60, l2: 0, maxIterations: 500, patience: 5 }, jsOps);
    expect(stats.reason).toBe('earlyStopping');
    expect(stats.iterations).toBeLessThan(500);
    expect(stats.bestIteration).toBe(stats.iterations - 5);
    expect(stats.validationLoss).not.toBeNull();
  });
});
