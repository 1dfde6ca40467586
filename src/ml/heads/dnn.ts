/**
 * The DNN head, like TensorFlow's DNNClassifier(hidden_units): dense ReLU layers with dropout,
 * a softmax output, Glorot-uniform initialisation, mini-batch Adam on the (class-weighted)
 * cross-entropy plus an optional L2 penalty, and early stopping on the validation loss (the best
 * epoch's weights are kept). Deterministic for a seed: initialisation, batch order and dropout
 * masks come from one seeded generator, and the products are deterministic.
 */
import { adam } from './adam.js';
import type { LabelledRows } from './logistic.js';
import { addBias, layerViews, paramCount, predictProbabilities, softmaxRows, type DenseNet } from './net.js';
import { transpose, type MatrixOps } from './ops.js';
import { createRng, shuffle, type Rng } from '../prng.js';

export interface DnnOptions {
  dims: number;
  classes: number;
  hiddenUnits: number[];
  /** Probability of dropping a hidden unit while training (0 ≤ p < 1). */
  dropout: number;
  /** λ of an L2 penalty on the weights (not the biases). */
  l2: number;
  /** Weight of each class (class weights); all 1 for none. */
  classWeights: Float64Array;
  /** Epochs at most; without validation exactly this many. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  seed: number;
}

export interface DnnStats {
  epochs: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Mean training loss of the last epoch (with dropout, as trained). */
  trainLoss: number;
  /** Mean cross-entropy on the validation rows at the kept epoch; null without validation. */
  validationLoss: number | null;
}

/** Glorot-uniform weights, zero biases. */
function initialise(layers: number[], rng: Rng): Float32Array {
  const params = new Float32Array(paramCount(layers));
  for (const v of layerViews(layers)) {
    const limit = Math.sqrt(6 / (v.inputs + v.outputs));
    for (let i = 0; i < v.inputs * v.outputs; i++) params[v.w + i] = (rng.next() * 2 - 1) * limit;
  }
  return params;
}

/** Mean (unweighted) cross-entropy of a network on labelled rows. */
function meanCrossEntropy(net: DenseNet, rows: LabelledRows, ops: MatrixOps): number {
  const classes = net.layers.at(-1)!;
  const p = predictProbabilities(net, rows.x, rows.n, ops);
  let loss = 0;
  for (let i = 0; i < rows.n; i++) loss -= Math.log(Math.max(p[i * classes + rows.y[i]!]!, 1e-12));
  return loss / Math.max(1, rows.n);
}

/** Fits the network on `train`; `validation` (optional) drives early stopping. */
export function trainDnn(train: LabelledRows, validation: LabelledRows | null, opts: DnnOptions, ops: MatrixOps): { net: DenseNet; stats: DnnStats } {
  const layers = [opts.dims, ...opts.hiddenUnits, opts.classes];
  const views = layerViews(layers);
  const rng = createRng(opts.seed);
  const net: DenseNet = { layers, params: initialise(layers, rng) };
  const grad = new Float32Array(net.params.length);
  const optimiser = adam(net.params.length, opts.learningRate);
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const keep = 1 - opts.dropout;
  let best: { params: Float32Array; loss: number; epoch: number } | null = null;
  let trainLoss = NaN;
  let epoch = 0;
  let stoppedEarly = false;

  for (epoch = 1; epoch <= opts.epochs; epoch++) {
    shuffle(order, rng);
    let epochLoss = 0;
    for (let start = 0; start < train.n; start += opts.batchSize) {
      const m = Math.min(opts.batchSize, train.n - start);
      const rows = order.subarray(start, start + m);
      const xb = new Float32Array(m * opts.dims);
      for (let i = 0; i < m; i++) xb.set(train.x.subarray(rows[i]! * opts.dims, (rows[i]! + 1) * opts.dims), i * opts.dims);
      // forward, keeping each layer's input for the backward pass
      const inputs: Float32Array[] = [xb];
      let a: Float32Array = xb;
      views.forEach((v, l) => {
        const z = ops.matmul(a, m, v.inputs, net.params.subarray(v.w, v.w + v.inputs * v.outputs), v.outputs);
        addBias(z, m, v.outputs, net.params.subarray(v.b, v.b + v.outputs));
        if (l < views.length - 1) {
          for (let i = 0; i < z.length; i++) z[i] = z[i]! > 0 && (keep === 1 || rng.next() < keep) ? z[i]! / keep : 0;
          inputs.push(z);
        }
        a = z;
      });
      softmaxRows(a, m, opts.classes);
      // dLoss/dlogits of the class-weighted mean cross-entropy
      let weightSum = 0;
      for (let i = 0; i < m; i++) weightSum += opts.classWeights[train.y[rows[i]!]!]!;
      let g: Float32Array = a;
      for (let i = 0; i < m; i++) {
        const yi = train.y[rows[i]!]!;
        const wi = opts.classWeights[yi]! / weightSum;
        epochLoss -= wi * Math.log(Math.max(g[i * opts.classes + yi]!, 1e-12)) * m;
        for (let k = 0; k < opts.classes; k++) g[i * opts.classes + k] = wi * (g[i * opts.classes + k]! - (k === yi ? 1 : 0));
      }
      // backward
      for (let l = views.length - 1; l >= 0; l--) {
        const v = views[l]!;
        const input = inputs[l]!;
        const w = net.params.subarray(v.w, v.w + v.inputs * v.outputs);
        grad.set(ops.matmul(transpose(input, m, v.inputs), v.inputs, m, g, v.outputs), v.w);
        for (let i = 0; i < v.inputs * v.outputs; i++) grad[v.w + i]! += opts.l2 * w[i]!;
        for (let k = 0; k < v.outputs; k++) {
          let s = 0;
          for (let i = 0; i < m; i++) s += g[i * v.outputs + k]!;
          grad[v.b + k] = s;
        }
        if (l === 0) break;
        const back = ops.matmul(g, m, v.outputs, transpose(w, v.inputs, v.outputs), v.inputs);
        // ReLU and dropout: the input was 0 where either cut it, else z / keep
        for (let i = 0; i < back.length; i++) back[i] = input[i]! > 0 ? back[i]! / keep : 0;
        g = back;
      }
      optimiser.step(net.params, grad);
    }
    trainLoss = epochLoss / train.n;
    if (!validation || validation.n === 0) continue;
    const loss = meanCrossEntropy(net, validation, ops);
    if (!best || loss < best.loss - 1e-4 * Math.abs(best.loss)) best = { params: Float32Array.from(net.params), loss, epoch };
    if (epoch - best.epoch >= opts.patience) {
      stoppedEarly = true;
      break;
    }
  }
  const epochs = Math.min(epoch, opts.epochs);
  if (best) net.params.set(best.params);
  return {
    net,
    stats: { epochs, bestEpoch: best?.epoch ?? epochs, stoppedEarly, trainLoss, validationLoss: best?.loss ?? null },
  };
}
