/**
 * The vector primitives every layer shares: the dot product and L2 normalization of Float32Array
 * rows. A base file (it imports nothing), so index/, modules/, services/ and ml/ use this one.
 */

/** Dot product of the first `n` components, unrolled by 4. */
export function dot(x: Float32Array, y: Float32Array, n = x.length): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += x[k]! * y[k]!;
    s1 += x[k + 1]! * y[k + 1]!;
    s2 += x[k + 2]! * y[k + 2]!;
    s3 += x[k + 3]! * y[k + 3]!;
  }
  for (; k < n; k++) s0 += x[k]! * y[k]!;
  return s0 + s1 + s2 + s3;
}

/**
 * L2-normalizes each `dims`-long row of `flat` in place and returns `flat`. An all-zero row stays
 * zero (no NaN: it has no direction); a row already of unit length within 1e-5 is left as it is,
 * so an encoder's normalized output keeps its exact bits.
 */
export function normalizeRows(flat: Float32Array, dims: number): Float32Array {
  for (let off = 0; off < flat.length; off += dims) {
    const row = flat.subarray(off, off + dims);
    const norm = Math.sqrt(dot(row, row));
    if (norm > 0 && Math.abs(norm - 1) > 1e-5) for (let k = 0; k < dims; k++) row[k] = row[k]! / norm;
  }
  return flat;
}

/** A unit-length copy of `v`, as normalizeRows makes it; always a new array (a zero vector gives zeros, never `v` itself). */
export function normalize(v: Float32Array): Float32Array {
  return normalizeRows(v.slice(), v.length);
}
