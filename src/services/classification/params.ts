/**
 * The checks and defaults of `trainClassifier`: which arguments each head takes, their ranges,
 * and the resolved hyperparameters stored with the head. Everything a caller can get wrong is
 * BAD_USER_INPUT with a message naming the argument.
 */
import { badInput } from '../../errors.js';
import type { HeadKind } from '../../store/types.js';
import { isMetadataKey, parseFilter, type Filter } from '../filter.js';

/** What trainClassifier receives (GraphQL arguments, nulls for omitted ones). */
export interface TrainInput {
  name: string;
  labelKey: string;
  head?: HeadKind | null;
  hiddenUnits?: readonly number[] | null;
  epochs?: number | null;
  validationSplit?: number | null;
  sliceBy?: string | null;
  filter?: unknown;
  seed?: number | null;
  l2?: number | null;
  k?: number | null;
  classWeight?: 'NONE' | 'BALANCED' | null;
  dropout?: number | null;
  refit?: boolean | null;
}

/** A checked request with every default filled in (l2 of LOGISTIC waits for the training-set size). */
export interface TrainPlan {
  name: string;
  labelKey: string;
  head: HeadKind;
  validationSplit: number;
  sliceBy: string | null;
  /** The filter as given (stored) and parsed (used). */
  rawFilter: unknown;
  filter: Filter | null;
  seed: number;
  classWeight: 'NONE' | 'BALANCED';
  /** LOGISTIC: L-BFGS iterations at most; DNN: epochs at most. */
  epochs: number;
  /** Null: LOGISTIC's default 1/n (scikit-learn's C = 1). */
  l2: number | null;
  hiddenUnits: number[];
  dropout: number;
  k: number;
  /** Refit on every labelled document after measuring on the validation split (default true). */
  refit: boolean;
}

/** Classifier names: 1-48 characters, a letter first, then letters, digits, _ or - (so `prediction_<name>` is a metadata key). */
const CLASSIFIER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;

/** Checks a classifier name; returns it. */
export function checkClassifierName(name: string): string {
  if (!CLASSIFIER_NAME.test(name)) {
    throw badInput(`classifier name "${name.slice(0, 80)}" is invalid: use 1-48 characters, a letter first, then letters, digits, _ or -`);
  }
  return name;
}

function intIn(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw badInput(`${name} must be an integer from ${lo} to ${hi}, got ${v}`);
  return v;
}

function onlyFor(head: HeadKind, arg: string, given: unknown, heads: HeadKind[]): void {
  if (given != null && !heads.includes(head)) throw badInput(`${arg} applies to ${heads.join(' and ')} heads only, not ${head}`);
}

/** Checks the arguments of trainClassifier and fills in the defaults. */
export function planTraining(input: TrainInput): TrainPlan {
  const name = checkClassifierName(input.name);
  if (!isMetadataKey(input.labelKey)) throw badInput(`labelKey "${input.labelKey.slice(0, 80)}" is not a valid metadata key (letters, digits, _ and -, dotted for nesting)`);
  const head = input.head ?? 'LOGISTIC';
  onlyFor(head, 'hiddenUnits', input.hiddenUnits, ['DNN']);
  onlyFor(head, 'dropout', input.dropout, ['DNN']);
  onlyFor(head, 'epochs', input.epochs, ['LOGISTIC', 'DNN']);
  onlyFor(head, 'l2', input.l2, ['LOGISTIC', 'DNN']);
  onlyFor(head, 'classWeight', input.classWeight, ['LOGISTIC', 'DNN']);
  onlyFor(head, 'k', input.k, ['KNN']);
  const validationSplit = input.validationSplit ?? 0.2;
  if (!(validationSplit >= 0 && validationSplit <= 0.5)) throw badInput(`validationSplit must be between 0 and 0.5, got ${validationSplit}`);
  const sliceBy = input.sliceBy ?? null;
  if (sliceBy !== null && !isMetadataKey(sliceBy)) throw badInput(`sliceBy "${sliceBy.slice(0, 80)}" is not a valid metadata key`);
  if (sliceBy !== null && validationSplit === 0) throw badInput('sliceBy scores the validation split: give a validationSplit above 0');
  const seed = intIn('seed', input.seed ?? 0, 0, 2 ** 31 - 1);
  const hiddenUnits = [...(input.hiddenUnits ?? [256])];
  if (hiddenUnits.length < 1 || hiddenUnits.length > 4) throw badInput(`hiddenUnits must list 1 to 4 layer sizes, got ${hiddenUnits.length}`);
  hiddenUnits.forEach((u, i) => intIn(`hiddenUnits[${i}]`, u, 1, 4096));
  const dropout = input.dropout ?? 0.1;
  if (!(dropout >= 0 && dropout <= 0.9)) throw badInput(`dropout must be between 0 and 0.9, got ${dropout}`);
  if (input.l2 != null && !(Number.isFinite(input.l2) && input.l2 >= 0 && input.l2 <= 1e6)) throw badInput(`l2 must be a number from 0 to 1e6, got ${input.l2}`);
  const defaultEpochs = head === 'LOGISTIC' ? 1000 : validationSplit > 0 ? 100 : 20;
  return {
    name,
    labelKey: input.labelKey,
    head,
    validationSplit,
    sliceBy,
    rawFilter: input.filter ?? null,
    filter: parseFilter(input.filter),
    seed,
    classWeight: input.classWeight ?? 'NONE',
    epochs: intIn('epochs', input.epochs ?? defaultEpochs, 1, 10_000),
    l2: input.l2 ?? (head === 'DNN' ? 0 : null),
    hiddenUnits,
    dropout,
    k: intIn('k', input.k ?? 10, 1, 100),
    refit: input.refit ?? true,
  };
}

/** The hyperparameters stored with a head (head-specific), as resolved for the rows it was fitted on (`l2` that of the serving fit). */
export function storedHyperparameters(plan: TrainPlan, l2: number, trainRows: number): Record<string, unknown> {
  const common = { validationSplit: plan.validationSplit, refit: plan.refit, seed: plan.seed, filter: plan.rawFilter, sliceBy: plan.sliceBy };
  switch (plan.head) {
    case 'LOGISTIC':
      return { ...common, l2, classWeight: plan.classWeight, maxIterations: plan.epochs };
    case 'DNN':
      return { ...common, hiddenUnits: plan.hiddenUnits, dropout: plan.dropout, l2, classWeight: plan.classWeight, maxEpochs: plan.epochs, batchSize: dnnBatchSize(trainRows), ...DNN_FIXED };
    case 'KNN':
      return { ...common, k: plan.k };
  }
}

/** The DNN settings not exposed as arguments (tf.keras defaults where there is one). */
export const DNN_FIXED = { learningRate: 0.001, patience: 8 };

/** DNN mini-batch size for n training rows: 64, smaller for small sets so an epoch still takes several steps (8 to 64). */
export function dnnBatchSize(n: number): number {
  return Math.min(64, Math.max(8, Math.round(n / 16)));
}
