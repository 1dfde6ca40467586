/**
 * The logistic head: multinomial softmax regression (binomial for two classes, as scikit-learn's
 * LogisticRegression) with an L2 penalty and per-row weights, fitted full-batch by L-BFGS.
 *   minimise  Σᵢ wᵢ·CE(xᵢ) / Σᵢ wᵢ  +  (λ/2)·‖W‖²      (the intercept is not penalised)
 * With unit weights and λ = 1/(C·n) this is scikit-learn's objective divided by n. The features are
 * centred (implicitly, see trainLogistic), an exact reparameterisation (the unpenalised intercept
 * absorbs the mean) that conditions the problem far better. With a validation set, training stops once the validation
 * loss has not improved for `patience` iterations and the best iterate is kept.
 */
import { blockCrossEntropy, crossEntropy, inverseWeightSum } from './cross-entropy.js';
import { lbfgs, type StopReason } from './lbfgs.js';
import type { DenseNet } from './net.js';
import type { MatrixOps } from './ops.js';
import { NARROW_MAX, narrowPass } from './wasm-narrow.js';

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

/** Column means of an n × dims matrix, and the mean squared row norm. */
function columnMeans(x: Float32Array, n: number, dims: number): { mean: Float64Array; meanSquare: number } {
  const mean = new Float64Array(dims);
  let square = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dims; j++) {
      const v = x[i * dims + j]!;
      mean[j]! += v;
      square += v * v;
    }
  }
  for (let j = 0; j < dims; j++) mean[j]! /= Math.max(1, n);
  return { mean, meanSquare: square / Math.max(1, n) };
}

/** Fits the head on `train`; `validation` (optional) drives early stopping. */
export function trainLogistic(train: LabelledRows, validation: LabelledRows | null, opts: LogisticOptions, ops: MatrixOps): { net: DenseNet; stats: LogisticStats } {
  const { dims, classes } = opts;
  const outputs = classes === 2 ? 1 : classes;
  const nw = dims * outputs;
  // The model is fitted on centred features without copying them: with μ the column means,
  // X_c·W = X·W − 1·μᵀW (folded into the bias) and X_cᵀ·R = Xᵀ·R − μ·(1ᵀR).
  const { mean, meanSquare } = columnMeans(train.x, train.n, dims);
  // a few outputs (two labels: one logit): one fused WebAssembly pass per evaluation; else the engine's products
  const narrow = outputs <= NARROW_MAX ? narrowPass(train.x, train.n, dims) : null;
  const x = narrow ? null : ops.fixed(train.x, train.n, dims);
  const xv = validation && validation.n > 0 ? ops.fixed(validation.x, validation.n, dims) : null;
  const r = narrow ? null : new Float32Array(train.n * outputs);
  // 1/L, L a bound on the curvature: ½·mean‖x − μ‖² (¼ for the binomial loss) + λ
  let meanNorm = 0;
  for (let j = 0; j < dims; j++) meanNorm += mean[j]! * mean[j]!;
  const initialStep = 1 / ((outputs === 1 ? 0.25 : 0.5) * Math.max(meanSquare - meanNorm, 1e-12) + opts.l2);
  const scale = inverseWeightSum(train.n, opts.rowWeights);
  const w32 = new Float32Array(nw);
  const rsum = new Float64Array(outputs);
  const bias = new Float64Array(outputs);
  /** The bias on the raw features: b − μᵀW. */
  const rawBias = (theta: Float64Array): Float64Array => {
    for (let q = 0; q < outputs; q++) {
      let shift = 0;
      for (let j = 0; j < dims; j++) shift += mean[j]! * theta[j * outputs + q]!;
      bias[q] = theta[nw + q]! - shift;
    }
    return bias;
  };
  /** The loss and, in g[0..nw), X_cᵀ·R; in rsum, the column sums of R (the bias gradient). */
  const lossAndProducts = (theta: Float64Array, g: Float64Array): number => {
    const b = rawBias(theta);
    rsum.fill(0);
    let loss: number;
    if (narrow) {
      for (let j = 0; j < dims; j++) for (let q = 0; q < outputs; q++) w32[q * dims + j] = theta[j * outputs + q]!;
      const pass = narrow.run(w32, outputs, (z, start, m, rb) => {
        const l = blockCrossEntropy(z, start, m, outputs, b, train.y, opts.rowWeights, scale, rb);
        for (let i = 0; i < m * outputs; i++) rsum[i % outputs]! += rb[i]!;
        return l;
      });
      for (let j = 0; j < dims; j++) for (let q = 0; q < outputs; q++) g[j * outputs + q] = pass.gT[q * dims + j]!;
      loss = pass.loss;
    } else {
      for (let i = 0; i < nw; i++) w32[i] = theta[i]!;
      loss = blockCrossEntropy(x!.times(w32, outputs), 0, train.n, outputs, b, train.y, opts.rowWeights, scale, r);
      g.set(x!.transposeTimes(r!, outputs));
      for (let i = 0; i < r!.length; i++) rsum[i % outputs]! += r![i]!;
    }
    for (let j = 0; j < dims; j++) for (let q = 0; q < outputs; q++) g[j * outputs + q]! -= mean[j]! * rsum[q]!;
    return loss;
  };
  const objective = (theta: Float64Array, g: Float64Array): number => {
    const f = lossAndProducts(theta, g);
    let penalty = 0;
    for (let i = 0; i < nw; i++) {
      penalty += theta[i]! * theta[i]!;
      g[i]! += opts.l2 * theta[i]!;
    }
    g.set(rsum, nw);
    return f + 0.5 * opts.l2 * penalty;
  };
  const validationLoss = (theta: Float64Array): number => {
    for (let i = 0; i < nw; i++) w32[i] = theta[i]!;
    return crossEntropy(xv!.times(w32, outputs), validation!.n, outputs, rawBias(theta), validation!.y, null, null);
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
    x?.dispose();
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
