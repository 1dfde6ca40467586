/**
 * hnswlib's distances over Float32Array rows, in plain loops (no allocation): `ip` is
 * 1 - dot (the cosine distance on normalized vectors), `l2` the squared Euclidean distance.
 */

/** 1 - dot(q, data[off..off+dims)), unrolled by four. */
export function ipDistance(q: Float32Array, data: Float32Array, off: number, dims: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 3 < dims; j += 4) {
    s0 += q[j]! * data[off + j]!;
    s1 += q[j + 1]! * data[off + j + 1]!;
    s2 += q[j + 2]! * data[off + j + 2]!;
    s3 += q[j + 3]! * data[off + j + 3]!;
  }
  for (; j < dims; j++) s0 += q[j]! * data[off + j]!;
  return 1 - (s0 + s1 + s2 + s3);
}

/** Squared Euclidean distance between q and data[off..off+dims). */
export function l2Distance(q: Float32Array, data: Float32Array, off: number, dims: number): number {
  let s = 0;
  for (let j = 0; j < dims; j++) {
    const d = q[j]! - data[off + j]!;
    s += d * d;
  }
  return s;
}
