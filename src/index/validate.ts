/**
 * Argument checks shared by the index implementations, with messages that say what to change.
 * Keys and stored vectors come from our own code (invariant failures); query vectors and k can
 * come from a client (BAD_USER_INPUT).
 */
import { badInput, invariant } from '../errors.js';

/** Largest key an index accepts: keys travel as Int32Array. */
const MAX_KEY = 0x7fffffff;

/** Asserts every key is an integer in [0, 2^31). */
export function checkKeys(keys: ArrayLike<number>): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    invariant(Number.isInteger(key) && key >= 0 && key <= MAX_KEY, `index key ${i} is ${key}; keys are integers in [0, 2^31)`);
  }
}

/** Asserts every stored vector has `dims` components. */
export function checkStoredVectors(vectors: Float32Array[], dims: number): void {
  vectors.forEach((v, i) => {
    invariant(v.length === dims, `vector ${i} has ${v.length} dimensions (expected ${dims})`);
  });
}

/** Checks query vectors (length, finite components) and k from a caller; throws BAD_USER_INPUT with the first problem. */
export function checkQueries(queries: Float32Array[], k: number, dims: number): void {
  if (!Number.isInteger(k) || k < 0) throw badInput(`k must be a non-negative integer (got ${k})`);
  queries.forEach((q, i) => {
    if (q.length !== dims) throw badInput(`query vector ${i} has ${q.length} dimensions (expected ${dims})`, { index: i });
    for (let j = 0; j < q.length; j++) {
      if (!Number.isFinite(q[j]!)) throw badInput(`query vector ${i} has a non-finite component ${j}`, { index: i });
    }
  });
}

/** Checks a search-time ef. */
export function checkEf(ef: number): void {
  if (!Number.isInteger(ef) || ef < 1) throw badInput(`ef must be a positive integer (got ${ef})`);
}
