/**
 * The logistic head: multinomial softmax regression (binomial for two classes, as scikit-learn's
 * LogisticRegression) with an L2 penalty and per-row weights, fitted full-batch by L-BFGS.
 *   minimise  Σᵢ wᵢ·CE(xᵢ) / Σᵢ wᵢ  +  (λ/2)·‖W‖²      (the intercept is not penalised)
 * With unit weights and λ = 1/(C·n) this is scikit-learn's objective divided by n. The features are
 * centred first, an exact reparameterisation (the unpenalised intercept absorbs the mean) that
 * conditions the problem far better. With a validation set, training stops once the validation
 * loss has not improved for `patience` iterations and the best iterate is kept.
 */
import { lbfgs, type StopReason } from './lbfgs.js';
import type { DenseNet } from './net.js';
import type { MatrixOps } from './ops.js';

export interface LabelledRows {
  /** n × dims, row-major. */
  x: Float32Array;
  n: number;
  /** Class of each row, 0..classes-1. */
  y: Int32Array;
}

export interface LogisticOptions {
  classes: number;
  dims: number;
  /** λ of the penalty (≥ 0). */
  l2: number;
  /** Weight of each training row (class weights); null for unit weights. */
  rowWeights: Float64Array | null;
  /** L-BFGS iterations at most. */
  maxIterations: number;
  /** Stop when max |∂f| ≤ gtol (default 1e-5). */
  gtol?: number;
  /**
   * Stop when the objective's relative decrease over the last 5 iterations is ≤ ftol (default
   * 1e-4: the mean training loss is then settled to 0.01%, far below what moves held-out accuracy).
   */
  ftol?: number;
  /** Iterations without a better validation loss before stopping (default 20). */
  patience?: number;
}

export interface LogisticStats {
  iterations: number;
  evaluations: number;
  reason: StopReason | 'earlyStopping';
  trainLoss: number;
  /** Mean cross-entropy on the validation rows at the kept iterate; null without validation. */
  validationLoss: number | null;
  /** Iteration of the kept iterate. */
  bestIteration: number;
}

/** Column means of an n × dims matrix. */
function columnMeans(x: Float32Array, n: number, dims: number): Float64Array {
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) mean[j]! += x[i * dims + j]!;
  for (let j = 0; j < dims; j++) mean[j]! /= Math.max(1, n);
  return mean;
}

function centred(x: Float32Array, n: number, dims: number, mean: Float64Array): Float32Array {
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) out[i * dims + j] = x[i * dims + j]! - mean[j]!;
  return out;
}

/**
 * Weighted cross-entropy of logits `z` (n × outputs, bias not yet added) and, in `r`, its
 * derivative per logit. outputs = 1 is the binomial model (logit of class 1).
 */
export function crossEntropy(z: Float32Array, n: number, outputs: number, bias: Float64Array, y: Int32Array, w: Float64Array | null, r: Float32Array | null): number {
  let total = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += w ? w[i]! : 1;
  for (let i = 0; i < n; i++) {
    const wi = (w ? w[i]! : 1) / weightSum;
    const yi = y[i]!;
    if (outputs === 1) {
      const zi = z[i]! + bias[0]!;
      const t = yi === 1 ? 1 : 0;
      total += wi * (Math.max(zi, 0) - t * zi + Math.log1p(Math.exp(-Math.abs(zi))));
      if (r) r[i] = wi * (1 / (1 + Math.exp(-zi)) - t);
      continue;
    }
    const o = i * outputs;
    let max = -Infinity;
    for (let k = 0; k < outputs; k++) max = Math.max(max, z[o + k]! + bias[k]!);
    let sum = 0;
    if (!r) {
      for (let k = 0; k < outputs; k++) sum += Math.exp(z[o + k]! + bias[k]! - max);
      total += wi * (max + Math.log(sum) - (z[o + yi]! + bias[yi]!));
      continue;
    }
    // one exp per logit: r holds exp(z - max) until it is normalised into the residual
    for (let k = 0; k < outputs; k++) sum += r[o + k] = Math.exp(z[o + k]! + bias[k]! - max);
    total += wi * (max + Math.log(sum) - (z[o + yi]! + bias[yi]!));
    const scale = wi / sum;
    for (let k = 0; k < outputs; k++) r[o + k]! *= scale;
    r[o + yi]! -= wi;
  }
  return total;
}

/** Fits the head on `train`; `validation` (optional) drives early stopping. */
export function trainLogistic(train: LabelledRows, validation: LabelledRows | null, opts: LogisticOptions, ops: MatrixOps): { net: DenseNet; stats: LogisticStats } {
  const { dims, classes } = opts;
  const outputs = classes === 2 ? 1 : classes;
  const nw = dims * outputs;
  const mean = columnMeans(train.x, train.n, dims);
  const x = ops.fixed(centred(train.x, train.n, dims, mean), train.n, dims);
  const xv = validation && validation.n > 0 ? ops.fixed(centred(validation.x, validation.n, dims, mean), validation.n, dims) : null;
  const r = new Float32Array(train.n * outputs);
  // 1/L, L a bound on the curvature: ½·mean‖x‖² (¼ for the binomial loss) + λ
  let sq = 0;
  for (let i = 0; i < train.n * dims; i++) sq += (train.x[i]! - mean[i % dims]!) ** 2;
  const initialStep = 1 / ((outputs === 1 ? 0.25 : 0.5) * (sq / Math.max(1, train.n)) + opts.l2);
  const w32 = new Float32Array(nw);
  const objective = (theta: Float64Array, g: Float64Array): number => {
    for (let i = 0; i < nw; i++) w32[i] = theta[i]!;
    const bias = theta.subarray(nw);
    const f = crossEntropy(x.times(w32, outputs), train.n, outputs, bias, train.y, opts.rowWeights, r);
    const gw = x.transposeTimes(r, outputs);
    let penalty = 0;
    for (let i = 0; i < nw; i++) {
      penalty += theta[i]! * theta[i]!;
      g[i] = gw[i]! + opts.l2 * theta[i]!;
    }
    for (let k = 0; k < outputs; k++) {
      let s = 0;
      for (let i = 0; i < train.n; i++) s += r[i * outputs + k]!;
      g[nw + k] = s;
    }
    return f + 0.5 * opts.l2 * penalty;
  };
  const validationLoss = (theta: Float64Array): number => {
    for (let i = 0; i < nw; i++) w32[i] = theta[i]!;
    return crossEntropy(xv!.times(w32, outputs), validation!.n, outputs, theta.subarray(nw), validation!.y, null, null);
  };

  const patience = opts.patience ?? 20;
  let best: { theta: Float64Array; loss: number; iteration: number } | null = null;
  let stoppedEarly = false;
  try {
    const result = lbfgs(objective, new Float64Array(nw + outputs), {
      maxIterations: opts.maxIterations,
      gtol: opts.gtol ?? 1e-5,
      ftol: opts.ftol ?? 1e-4,
      window: 5,
      initialStep,
      onIteration: xv
        ? (iteration, theta) => {
            const loss = validationLoss(theta);
            if (!best || loss < best.loss - 1e-6 * Math.abs(best.loss)) best = { theta: Float64Array.from(theta), loss, iteration };
            stoppedEarly = iteration - best.iteration >= patience;
            return stoppedEarly;
          }
        : undefined,
    });
    const kept = (best as { theta: Float64Array; loss: number; iteration: number } | null) ?? { theta: result.x, loss: NaN, iteration: result.iterations };
    const trainLoss = objective(kept.theta, new Float64Array(nw + outputs));
    return {
      net: toNet(kept.theta, dims, classes, outputs, mean),
      stats: {
        iterations: result.iterations,
        evaluations: result.evaluations + 1,
        reason: stoppedEarly ? 'earlyStopping' : result.reason,
        trainLoss,
        validationLoss: xv ? kept.loss : null,
        bestIteration: kept.iteration,
      },
    };
  } finally {
    x.dispose();
    xv?.dispose();
  }
}

/**
 * The fitted parameters as a [dims, classes] network on the raw (uncentred) features:
 * b' = b − μᵀW; a binomial fit becomes the equivalent two-class softmax (logits ∓z/2).
 */
function toNet(theta: Float64Array, dims: number, classes: number, outputs: number, mean: Float64Array): DenseNet {
  const params = new Float32Array(dims * classes + classes);
  const bias = new Float64Array(outputs);
  for (let k = 0; k < outputs; k++) {
    let shift = 0;
    for (let j = 0; j < dims; j++) shift += mean[j]! * theta[j * outputs + k]!;
    bias[k] = theta[dims * outputs + k]! - shift;
  }
  if (outputs === 1) {
    for (let j = 0; j < dims; j++) {
      params[j * 2] = -theta[j]! / 2;
      params[j * 2 + 1] = theta[j]! / 2;
    }
    params[dims * 2] = -bias[0]! / 2;
    params[dims * 2 + 1] = bias[0]! / 2;
  } else {
    for (let i = 0; i < dims * classes; i++) params[i] = theta[i]!;
    params.set(bias, dims * classes);
  }
  return { layers: [dims, classes], params };
}
