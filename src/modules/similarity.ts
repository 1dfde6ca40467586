/**
 * Vector math for L2-normalized embeddings: cosine similarity is a dot product.
 */

const BLOCK = 64;

/**
 * Cosine similarity matrix `a × b` of L2-normalized vectors (a dot product per pair), as
 * `result[i][j] = a[i]·b[j]`. Loops are blocked over rows of `a` and `b` so a block of `b` stays in
 * cache while a block of `a` runs over it; no allocation per element. Throws when dims differ.
 */
export function cosineMatrix(a: readonly Float32Array[], b: readonly Float32Array[]): number[][] {
  const dims = a[0]?.length ?? b[0]?.length ?? 0;
  for (const [name, list] of [['a', a], ['b', b]] as const) {
    list.forEach((v, i) => {
      if (v.length !== dims) throw new RangeError(`vector ${name}[${i}] has ${v.length} dims (expected ${dims})`);
    });
  }
  const out: number[][] = a.map(() => new Array<number>(b.length).fill(0));
  for (let i0 = 0; i0 < a.length; i0 += BLOCK) {
    const i1 = Math.min(a.length, i0 + BLOCK);
    for (let j0 = 0; j0 < b.length; j0 += BLOCK) {
      const j1 = Math.min(b.length, j0 + BLOCK);
      for (let i = i0; i < i1; i++) {
        const x = a[i]!;
        const row = out[i]!;
        for (let j = j0; j < j1; j++) row[j] = dot(x, b[j]!, dims);
      }
    }
  }
  return out;
}

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
 * L2-normalizes each `dims`-long row of `flat` in place; rows already of unit length (within
 * 1e-5) and all-zero rows are left as they are. Returns `flat`.
 */
export function normalizeRows(flat: Float32Array, dims: number): Float32Array {
  for (let off = 0; off < flat.length; off += dims) {
    const row = flat.subarray(off, off + dims);
    const norm = Math.sqrt(dot(row, row));
    if (norm > 0 && Math.abs(norm - 1) > 1e-5) for (let k = 0; k < dims; k++) row[k] = row[k]! / norm;
  }
  return flat;
}
