import { describe, expect, it } from 'vitest';
import { trainDnn, type DnnOptions } from '../../../src/ml/heads/dnn.js';
import { trainLogistic } from '../../../src/ml/heads/logistic.js';
import { predictProbabilities } from '../../../src/ml/heads/net.js';
import { jsOps } from '../../../src/ml/heads/ops.js';
import { accuracyOf, gaussianClasses, part, xorRows } from './support.js';

const options = (o: Partial<DnnOptions> & Pick<DnnOptions, 'dims' | 'classes'>): DnnOptions => ({
  hiddenUnits: [16], dropout: 0, l2: 0, classWeights: new Float64Array(o.classes).fill(1),
  epochs: 200, batchSize: 32, learningRate: 0.01, patience: 20, seed: 1, ...o,
});

describe('dnn head', () => {
  it('learns XOR-like data that a linear head cannot', () => {
    const data = xorRows(600, 4, 11);
    const train = part(data, 0, 400);
    const validation = part(data, 400, 500);
    const test = part(data, 500, 600);
    const dnn = trainDnn(train, validation, options({ dims: 4, classes: 2, hiddenUnits: [16, 8] }), jsOps);
    const linear = trainLogistic(train, null, { classes: 2, dims: 4, l2: 1e-3, rowWeights: null, maxIterations: 200 }, jsOps);
    expect(dnn.net.layers).toEqual([4, 16, 8, 2]);
    expect(accuracyOf(predictProbabilities(dnn.net, test.x, test.n, jsOps), test.y, 2)).toBeGreaterThanOrEqual(0.9);
    expect(accuracyOf(predictProbabilities(linear.net, test.x, test.n, jsOps), test.y, 2)).toBeLessThan(0.7);
  });

  it('is deterministic for a seed and differs across seeds (dropout included)', () => {
    const data = gaussianClasses({ counts: [60, 60, 60], dims: 6, seed: 3 });
    const train = part(data, 0, 120);
    const validation = part(data, 120, 180);
    const run = (seed: number) => trainDnn(train, validation, options({ dims: 6, classes: 3, dropout: 0.3, epochs: 5, seed }), jsOps).net.params;
    const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
    expect(same(run(7), run(7))).toBe(true);
    expect(same(run(7), run(8))).toBe(false);
  });

  it('stops early on a rising validation loss and keeps the best epoch', () => {
    // tiny noisy training set, big network: it memorises and the validation loss climbs
    const data = gaussianClasses({ counts: [150, 150], dims: 20, seed: 5, spread: 0.8 });
    const train = part(data, 0, 30);
    const validation = part(data, 30, 300);
    const { stats } = trainDnn(train, validation, options({ dims: 20, classes: 2, hiddenUnits: [64], epochs: 500, batchSize: 8, patience: 10 }), jsOps);
    expect(stats.stoppedEarly).toBe(true);
    expect(stats.epochs).toBeLessThan(500);
    expect(stats.bestEpoch).toBe(stats.epochs - 10);
    expect(stats.validationLoss).toBeGreaterThan(0);
  });

  it('trains exactly `epochs` epochs without a validation set', () => {
    const data = gaussianClasses({ counts: [30, 30], dims: 3, seed: 6 });
    const { stats } = trainDnn(data, null, options({ dims: 3, classes: 2, epochs: 7 }), jsOps);
    expect(stats).toMatchObject({ epochs: 7, bestEpoch: 7, stoppedEarly: false, validationLoss: null });
  });
});
