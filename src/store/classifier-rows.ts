/**
 * Row shapes of the `classifiers` table shared by both dialects (drizzle returns the same
 * property names from the SQLite and the PostgreSQL table), and the checks both run before a write.
 */
import { invariant } from '../errors.js';
import type { ClassifierRow, NewClassifier } from './types.js';
import { vectorToBytes } from './vector-bytes.js';

/** A `classifiers` row as drizzle selects it, without the weights column: the module binding in four columns. */
export interface ClassifierRecord extends Omit<ClassifierRow, 'module'> {
  moduleName: string;
  moduleVersion: string;
  moduleSha256: string;
  moduleDims: number;
}

/** A ClassifierRow from a `classifiers` record. */
export function toClassifierRow(r: ClassifierRecord): ClassifierRow {
  const { moduleName, moduleVersion, moduleSha256, moduleDims, ...rest } = r;
  return { ...rest, metrics: r.metrics ?? null, module: { name: moduleName, version: moduleVersion, sha256: moduleSha256, dims: moduleDims } };
}

/** The `classifiers` insert values of `c` at `version`. */
export function classifierValues(c: NewClassifier, version: number, now: Date): Omit<ClassifierRecord, 'key'> & { weights: Buffer } {
  const { module, weights, ...rest } = c;
  return {
    ...rest,
    version,
    moduleName: module.name,
    moduleVersion: module.version,
    moduleSha256: module.sha256,
    moduleDims: module.dims,
    weights: Buffer.from(vectorToBytes(weights)),
    createdAt: now,
  };
}

/** Programmer checks before a head is stored: weights match the layers, labels match the outputs. */
export function checkClassifier(c: NewClassifier): void {
  let params = 0;
  for (let l = 1; l < c.layers.length; l++) params += c.layers[l - 1]! * c.layers[l]! + c.layers[l]!;
  invariant(c.weights.length === params, `classifier has ${c.weights.length} weights; layers ${JSON.stringify(c.layers)} need ${params}`);
  invariant(c.layers.length === 0 || c.layers.at(-1) === c.labels.length, `classifier has ${c.labels.length} labels but ${c.layers.at(-1)} outputs`);
  invariant(c.labels.length >= 2, 'a classifier needs at least two labels');
}
