/**
 * Training a stored head again with its saved parameters (migrateCollection's
 * retrainClassifiers): the trainClassifier arguments that give the same kind of head, read back
 * from the hyperparameters stored with it (resolved values, so a default l2 of 1/n stays that
 * head's value rather than being resolved again for the new rows).
 */
import type { ClassifierRow, CollectionRow } from '../../store/types.js';
import type { TrainInput } from './params.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The trainClassifier input that trains `row` again (same name, label key, head and hyperparameters). */
export function retrainInput(row: ClassifierRow): TrainInput {
  const h = row.hyperparameters;
  const common = {
    name: row.name, labelKey: row.labelKey, head: row.head, filter: h.filter ?? null,
    validationSplit: num(h.validationSplit), seed: num(h.seed), sliceBy: typeof h.sliceBy === 'string' ? h.sliceBy : null,
    ...(typeof h.refit === 'boolean' ? { refit: h.refit } : {}),
  };
  const classWeight = h.classWeight === 'BALANCED' ? 'BALANCED' : 'NONE';
  switch (row.head) {
    case 'LOGISTIC':
      return { ...common, l2: num(h.l2), classWeight, epochs: num(h.maxIterations) };
    case 'DNN':
      return {
        ...common, l2: num(h.l2), classWeight, epochs: num(h.maxEpochs), dropout: num(h.dropout),
        hiddenUnits: Array.isArray(h.hiddenUnits) ? h.hiddenUnits.filter((u): u is number => typeof u === 'number') : null,
      };
    case 'KNN':
      return { ...common, k: num(h.k) };
  }
}

/** Whether a head was trained on vectors of another module than the collection's bound one. */
export function isStale(row: ClassifierRow, collection: CollectionRow): boolean {
  return row.module.sha256 !== collection.module.sha256;
}
