/** Classifiers: trained heads over a collection's vectors, stored by name with a version each. */
import type { ModuleBinding } from './collections.js';

/** The kinds of classifier head (see src/ml/heads). */
export type HeadKind = 'LOGISTIC' | 'DNN' | 'KNN';

/** Precision, recall, F1 and gold support of one label on the validation rows. */
export interface ClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The validation scores of the documents sharing one value of the `sliceBy` metadata key. */
export interface SliceScore {
  /** The slice's value as a string; null for documents without the key. */
  slice: string | null;
  n: number;
  accuracy: number;
  macroF1: number;
}

/** How a trained head did on its validation split (stored as JSON with the head). */
export interface ClassifierMetrics {
  /** The serving head was refitted on all labelled rows after these were measured; absent for heads stored before refits. */
  refit?: boolean;
  /** Validation rows scored. */
  n: number;
  accuracy: number;
  /** Mean F1 over the labels that occur in the gold labels or the predictions. */
  macroF1: number;
  /** One entry per label, in the head's label order. */
  perClass: ClassScore[];
  /** confusion[gold][predicted], both in the head's label order. */
  confusion: number[][];
  /** The metadata key the slices come from, or null. */
  sliceBy: string | null;
  perSlice: SliceScore[];
  /** The slices with the best and the worst accuracy; null with fewer than two slices. */
  sliceGap: { best: string | null; worst: string | null; gap: number } | null;
  /** Set when the slice gap exceeds 0.05 (or another caution applies), else null. */
  warning: string | null;
}

/** A trained classifier head as `createClassifier` takes it. */
export interface NewClassifier {
  collectionKey: number;
  name: string;
  head: HeadKind;
  /** The metadata key the labels were read from. */
  labelKey: string;
  /** The class labels, in the order of the head's outputs (sorted). */
  labels: string[];
  /** What it was trained with (head-specific: hiddenUnits, l2, k, seed, filter ...). */
  hyperparameters: Record<string, unknown>;
  /** Validation scores; null when trained without a validation split. */
  metrics: ClassifierMetrics | null;
  /** How training went: iterations or epochs, stop reason, losses, seconds. */
  training: Record<string, unknown>;
  /** The module whose vectors it was trained on (the collection's at training time). */
  module: ModuleBinding;
  /** Network layer sizes [inputs, hidden..., classes]; empty for KNN (no weights). */
  layers: number[];
  /** The network's parameters (see src/ml/heads/net.ts); empty for KNN. */
  weights: Float32Array;
  /** Documents trained on, validated on, and skipped for lacking a usable label. */
  trainedOn: number;
  validatedOn: number;
  skipped: number;
}

/** A stored classifier version, without its weights (see getClassifierWeights). */
export interface ClassifierRow extends Omit<NewClassifier, 'weights'> {
  /** Internal numeric key; never shown to clients. */
  key: number;
  /** 1 for the first head of a name in a collection, then +1 per retraining. */
  version: number;
  createdAt: Date;
}

/** The classifier heads of a store's collections. */
export interface ClassifierStore {
  /**
   * Stores a trained head as the next version of its name in the collection (1 when the name is
   * new, else the highest stored version + 1; older versions are kept), weights as float32
   * little-endian bytes. NOT_FOUND when the collection is gone.
   */
  createClassifier(c: NewClassifier): Promise<ClassifierRow>;
  /** The given version of a named head, or its latest version when `version` is omitted; null when absent. */
  getClassifier(collectionKey: number, name: string, version?: number | null): Promise<ClassifierRow | null>;
  /** The latest version of every named head of a collection, ordered by name. */
  listClassifiers(collectionKey: number): Promise<ClassifierRow[]>;
  /** The stored versions of a named head, ascending (empty when there is none). */
  classifierVersions(collectionKey: number, name: string): Promise<number[]>;
  /** The parameters of a stored head (a fresh array the caller owns); null when it is gone. */
  getClassifierWeights(classifierKey: number): Promise<Float32Array | null>;
  /** Deletes one version of a named head, or every version when `version` is omitted; returns how many went. */
  deleteClassifier(collectionKey: number, name: string, version?: number | null): Promise<number>;
}

/** The methods of ClassifierStore (the binder's list; the compiler keeps it complete). */
export const CLASSIFIER_METHODS: Record<keyof ClassifierStore, true> = {
  createClassifier: true, getClassifier: true, listClassifiers: true, classifierVersions: true, getClassifierWeights: true,
  deleteClassifier: true,
};
