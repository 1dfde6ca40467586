/**
 * One training run, as the training thread executes it: fit the head on the training rows, predict
 * the validation rows, then (with `refit`) fit it again on all of them with the same
 * hyperparameters, so the head that serves learnt from every label: an early-stopped head runs
 * the iterations or epochs the validation split chose. Pure over its inputs (the MatrixOps engine
 * is passed in), so tests can run it on the main thread with plain-JavaScript products.
 */
import { classWeights, rowWeights } from '../../ml/heads/class-weights.js';
import { trainDnn } from '../../ml/heads/dnn.js';
import { exactNeighbours, knnProbabilities } from '../../ml/heads/knn.js';
import { trainLogistic, type LabelledRows } from '../../ml/heads/logistic.js';
import { argmaxRows, predictProbabilities } from '../../ml/heads/net.js';
import type { MatrixOps } from '../../ml/heads/ops.js';
import type { HeadKind } from '../../store/types.js';

/** What the training thread receives (typed arrays are transferred, not copied). */
export interface TrainTask {
  head: HeadKind;
  dims: number;
  classes: number;
  train: LabelledRows;
  validation: LabelledRows | null;
  options: {
    l2: number;
    balanced: boolean;
    /** LOGISTIC iterations or DNN epochs at most. */
    epochs: number;
    hiddenUnits: number[];
    dropout: number;
    batchSize: number;
    learningRate: number;
    patience: number;
    seed: number;
    k: number;
  };
  /** Refit on training and validation rows after measuring (with this LOGISTIC/DNN l2); null: serve the training-split fit. */
  refit: { l2: number } | null;
}

/** What it sends back. */
export interface TrainOutcome {
  /** Network layer sizes and parameters; empty for KNN. */
  layers: number[];
  params: Float32Array;
  /** The predicted class of each validation row; null without validation. */
  validationPredicted: Int32Array | null;
  /** Head-specific training figures (iterations or epochs, stop reason, losses) plus fit seconds and the engine; `refit` holds the refit's. */
  stats: Record<string, unknown>;
  /** Rows the returned network was fitted on. */
  fittedRows: number;
}

type Fitted = ReturnType<typeof trainLogistic> | ReturnType<typeof trainDnn>;

/** Fits a LOGISTIC or DNN head on `rows` with `l2` and at most `epochs` (iterations for LOGISTIC). */
function fitHead(task: TrainTask, rows: LabelledRows, validation: LabelledRows | null, fit: { l2: number; epochs: number }, ops: MatrixOps): Fitted {
  const { dims, classes, options: o } = task;
  const weights = classWeights(rows.y, classes, o.balanced);
  return task.head === 'LOGISTIC'
    ? trainLogistic(rows, validation, { classes, dims, l2: fit.l2, rowWeights: o.balanced ? rowWeights(rows.y, weights) : null, maxIterations: fit.epochs }, ops)
    : trainDnn(rows, validation, {
        dims, classes, hiddenUnits: o.hiddenUnits, dropout: o.dropout, l2: fit.l2, classWeights: weights, epochs: fit.epochs,
        batchSize: o.batchSize, learningRate: o.learningRate, patience: o.patience, seed: o.seed,
      }, ops);
}

/** The iterations (LOGISTIC) or epochs (DNN) a refit runs: what early stopping chose, else the same limit. */
function refitEpochs(fitted: Fitted, limit: number): number {
  const s = fitted.stats;
  if ('bestEpoch' in s) return Math.max(1, s.bestEpoch);
  return s.reason === 'earlyStopping' ? Math.max(1, s.bestIteration) : limit;
}

/** The rows of `a` then those of `b`, as one set. */
function concatRows(a: LabelledRows, b: LabelledRows, dims: number): LabelledRows {
  const x = new Float32Array((a.n + b.n) * dims);
  x.set(a.x.subarray(0, a.n * dims));
  x.set(b.x.subarray(0, b.n * dims), a.n * dims);
  const y = new Int32Array(a.n + b.n);
  y.set(a.y.subarray(0, a.n));
  y.set(b.y.subarray(0, b.n), a.n);
  return { x, y, n: a.n + b.n };
}

/** Trains the head of `task` with `ops`. */
export function runTraining(task: TrainTask, ops: MatrixOps): TrainOutcome {
  const started = performance.now();
  const { dims, classes, options: o } = task;
  const validation = task.validation && task.validation.n > 0 ? task.validation : null;
  let layers: number[] = [];
  let params: Float32Array = new Float32Array(0);
  let probabilities: Float32Array | null = null;
  let stats: Record<string, unknown>;
  let fittedRows = task.train.n;
  if (task.head === 'KNN') {
    if (validation) {
      const nb = exactNeighbours(task.train.x, task.train.n, validation.x, validation.n, dims, o.k, ops);
      probabilities = knnProbabilities(nb, validation.n, task.train.y, classes);
    }
    stats = { k: o.k };
    // its neighbours at serving time are every labelled document of the index
    if (task.refit && validation) fittedRows += validation.n;
  } else {
    let fitted = fitHead(task, task.train, validation, { l2: o.l2, epochs: o.epochs }, ops);
    stats = { ...fitted.stats };
    if (validation) probabilities = predictProbabilities(fitted.net, validation.x, validation.n, ops);
    if (task.refit && validation) {
      const refitStarted = performance.now();
      const all = concatRows(task.train, validation, dims);
      fitted = fitHead(task, all, null, { l2: task.refit.l2, epochs: refitEpochs(fitted, o.epochs) }, ops);
      stats.refit = { ...fitted.stats, rows: all.n, l2: task.refit.l2, seconds: (performance.now() - refitStarted) / 1000 };
      fittedRows = all.n;
    }
    ({ layers, params } = fitted.net);
  }
  return {
    layers,
    params,
    validationPredicted: probabilities && validation ? argmaxRows(probabilities, validation.n, classes) : null,
    stats: { ...stats, seconds: (performance.now() - started) / 1000, engine: ops.name },
    fittedRows,
  };
}
