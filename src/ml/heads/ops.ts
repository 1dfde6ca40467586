/**
 * The dense products the heads are built on, behind one small interface so the same training code
 * runs on plain JavaScript (`jsOps`: tests, serving, small data) or on a faster engine such as
 * tfjs' WebAssembly backend (`tfjsOps` in tfjs-ops.ts: XNNPACK SIMD kernels, used by the training
 * worker). All matrices are row-major Float32Arrays; results are new arrays the caller owns.
 */

/** A matrix kept ready for repeated products with it and with its transpose (the training data). */
export interface FixedMatrix {
  readonly rows: number;
  readonly cols: number;
  /** X · W for W of cols × k: rows × k. */
  times(w: Float32Array, k: number): Float32Array;
  /** Xᵀ · R for R of rows × k: cols × k. */
  transposeTimes(r: Float32Array, k: number): Float32Array;
  /** Frees what the engine holds for X (idempotent). */
  dispose(): void;
}

/** A matrix product engine. */
export interface MatrixOps {
  /** Name for reports, e.g. "js" or "tfjs-wasm". */
  readonly name: string;
  /** C = A · B with A of m × k and B of k × n: m × n. */
  matmul(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array;
  /** Keeps `x` (rows × cols) for repeated products; the caller must not change `x` afterwards. */
  fixed(x: Float32Array, rows: number, cols: number): FixedMatrix;
}

/** Below this many output columns the products run as dot products over contiguous rows. */
const NARROW = 8;

/** Σ a[ao..ao+len) · b[bo..bo+len), four accumulators. */
function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let p = 0;
  for (; p + 3 < len; p += 4) {
    s0 += a[ao + p]! * b[bo + p]!;
    s1 += a[ao + p + 1]! * b[bo + p + 1]!;
    s2 += a[ao + p + 2]! * b[bo + p + 2]!;
    s3 += a[ao + p + 3]! * b[bo + p + 3]!;
  }
  for (; p < len; p++) s0 += a[ao + p]! * b[bo + p]!;
  return s0 + s1 + s2 + s3;
}

/** C = A · B in plain JavaScript: i-p-j order (rows of B stream through the cache), or dot products for narrow B. */
function jsMatmul(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(m * n);
  if (n < NARROW) {
    const bt = transpose(b, k, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[i * n + j] = dot(a, i * k, bt, j * k, k);
    return c;
  }
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * k;
    for (let p = 0; p < k; p++) {
      const v = a[ai + p]!;
      if (v === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j]! += v * b[bp + j]!;
    }
  }
  return c;
}

/** Xᵀ · R in plain JavaScript without materialising Xᵀ. */
function jsTransposeTimes(x: Float32Array, rows: number, cols: number, r: Float32Array, k: number): Float32Array {
  const out = new Float32Array(cols * k);
  if (k < NARROW) {
    // one contiguous accumulator per column of R, then scattered into place
    const acc = new Float32Array(cols);
    for (let q = 0; q < k; q++) {
      acc.fill(0);
      for (let i = 0; i < rows; i++) {
        const v = r[i * k + q]!;
        if (v === 0) continue;
        const xi = i * cols;
        for (let j = 0; j < cols; j++) acc[j]! += v * x[xi + j]!;
      }
      for (let j = 0; j < cols; j++) out[j * k + q] = acc[j]!;
    }
    return out;
  }
  for (let i = 0; i < rows; i++) {
    const xi = i * cols;
    const ri = i * k;
    for (let j = 0; j < cols; j++) {
      const v = x[xi + j]!;
      if (v === 0) continue;
      const oj = j * k;
      for (let q = 0; q < k; q++) out[oj + q]! += v * r[ri + q]!;
    }
  }
  return out;
}

/** Plain-JavaScript products: exact float32 arithmetic, no setup, about 1 GFLOP/s. */
export const jsOps: MatrixOps = {
  name: 'js',
  matmul: jsMatmul,
  fixed(x, rows, cols) {
    return {
      rows,
      cols,
      times: (w, k) => jsMatmul(x, rows, cols, w, k),
      transposeTimes: (r, k) => jsTransposeTimes(x, rows, cols, r, k),
      dispose: () => {},
    };
  },
};

/** Aᵀ of an m × n matrix: n × m. */
export function transpose(a: Float32Array, m: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const ai = i * n;
    for (let j = 0; j < n; j++) out[j * m + i] = a[ai + j]!;
  }
  return out;
}
