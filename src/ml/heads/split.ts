/**
 * Stratified train/validation split, deterministic for a seed: each class's rows are shuffled and
 * round(count × fraction) of them (at least one when the class has two or more rows and the
 * fraction is positive, never all of them) go to validation, as scikit-learn's
 * `train_test_split(stratify=y)` does per class.
 */
import { createRng, shuffle } from '../prng.js';

/** Row indices of the two parts, each ascending. */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
}

/** Splits rows 0..y.length-1 by class label `y` (0..classes-1); `fraction` in [0, 1). */
export function stratifiedSplit(y: Int32Array, classes: number, fraction: number, seed: number): Split {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < y.length; i++) byClass[y[i]!]!.push(i);
  const rng = createRng(seed ^ 0x5bd1e995);
  const train: number[] = [];
  const validation: number[] = [];
  for (const rows of byClass) {
    shuffle(rows, rng);
    let take = fraction > 0 && rows.length >= 2 ? Math.max(1, Math.round(rows.length * fraction)) : 0;
    take = Math.min(take, rows.length - 1);
    validation.push(...rows.slice(0, Math.max(0, take)));
    train.push(...rows.slice(Math.max(0, take)));
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(train), validation: sorted(validation) };
}

/** The rows `rows` of an n×dims matrix, gathered into `out` (a new matrix by default). */
export function gatherRows(x: Float32Array, dims: number, rows: ArrayLike<number>, out: Float32Array = new Float32Array(rows.length * dims)): Float32Array {
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i]! * dims, (rows[i]! + 1) * dims), i * dims);
  return out;
}

/** The entries `rows` of `values`. */
export function gatherLabels(values: Int32Array, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}
