/**
 * One training run, as the training thread executes it: fit the head on the training rows, then
 * predict the validation rows. Pure over its inputs (the MatrixOps engine is passed in), so tests
 * can run it on the main thread with plain-JavaScript products.
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
}

/** What it sends back. */
export interface TrainOutcome {
  /** Network layer sizes and parameters; empty for KNN. */
  layers: number[];
  params: Float32Array;
  /** The predicted class of each validation row; null without validation. */
  validationPredicted: Int32Array | null;
  /** Head-specific training figures (iterations or epochs, stop reason, losses) plus fit seconds and the engine. */
  stats: Record<string, unknown>;
}

/** Trains the head of `task` with `ops`. */
export function runTraining(task: TrainTask, ops: MatrixOps): TrainOutcome {
  const started = performance.now();
  const { dims, classes, options: o } = task;
  const validation = task.validation && task.validation.n > 0 ? task.validation : null;
  const weights = classWeights(task.train.y, classes, o.balanced);
  let layers: number[] = [];
  let params: Float32Array = new Float32Array(0);
  let probabilities: Float32Array | null = null;
  let stats: Record<string, unknown>;
  if (task.head === 'KNN') {
    if (validation) {
      const nb = exactNeighbours(task.train.x, task.train.n, validation.x, validation.n, dims, o.k, ops);
      probabilities = knnProbabilities(nb, validation.n, task.train.y, classes);
    }
    stats = { k: o.k };
  } else {
    const fitted = task.head === 'LOGISTIC'
      ? trainLogistic(task.train, validation, { classes, dims, l2: o.l2, rowWeights: o.balanced ? rowWeights(task.train.y, weights) : null, maxIterations: o.epochs }, ops)
      : trainDnn(task.train, validation, {
          dims, classes, hiddenUnits: o.hiddenUnits, dropout: o.dropout, l2: o.l2, classWeights: weights, epochs: o.epochs,
          batchSize: o.batchSize, learningRate: o.learningRate, patience: o.patience, seed: o.seed,
        }, ops);
    ({ layers, params } = fitted.net);
    stats = { ...fitted.stats };
    if (validation) probabilities = predictProbabilities(fitted.net, validation.x, validation.n, ops);
  }
  return {
    layers,
    params,
    validationPredicted: probabilities && validation ? argmaxRows(probabilities, validation.n, classes) : null,
    stats: { ...stats, seconds: (performance.now() - started) / 1000, engine: ops.name },
  };
}
