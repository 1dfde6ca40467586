/**
 * Dot products between row sets through the SIMD kernel of kernels/dots.ts: `forEachDotBlock`
 * streams the products of many query rows with a few thousand base rows block by block (exact
 * nearest neighbours), and `gramMatrix` gathers all products of one small set (silhouette).
 */
import { createKernels, TILE_CENTRES, TILE_ROWS } from './kernels/kernels.js';
import { acquireMemory, releaseMemory } from './memory-pool.js';

/** Query rows per kernel call. */
const BLOCK = 256;

/**
 * Calls `visit(first, count, dots, stride)` for consecutive blocks of the m `queries`, where
 * dots[q * stride + j] = queries[first + q] . base[j] for j < s. `dots` is reused between calls.
 */
export function forEachDotBlock(
  queries: Float32Array, m: number, base: Float32Array, s: number, dims: number,
  visit: (first: number, count: number, dots: Float32Array, stride: number) => void,
): void {
  if (queries.length !== m * dims || base.length !== s * dims) {
    throw new RangeError(`forEachDotBlock: expected ${m}*${dims} query and ${s}*${dims} base values, got ${queries.length} and ${base.length}`);
  }
  const dp = Math.ceil(dims / 4) * 4;
  const sPad = Math.ceil(s / TILE_CENTRES) * TILE_CENTRES;
  const qRows = BLOCK + TILE_ROWS;
  const qOff = sPad * dp * 4;
  const idxOff = qOff + qRows * dp * 4;
  const outOff = idxOff + Math.ceil((qRows * 4) / 16) * 16;
  const memory = acquireMemory(outOff + qRows * sPad * 4, `dot products of ${m} x ${s} rows`);
  try {
    const c = new Float32Array(memory.buffer, 0, sPad * dp);
    c.fill(0);
    for (let j = 0; j < s; j++) c.set(base.subarray(j * dims, (j + 1) * dims), j * dp);
    const x = new Float32Array(memory.buffer, qOff, qRows * dp);
    x.fill(0);
    const ident = new Int32Array(memory.buffer, idxOff, qRows);
    for (let i = 0; i < qRows; i++) ident[i] = i;
    const out = new Float32Array(memory.buffer, outOff, qRows * sPad);
    const { dots } = createKernels(memory);
    for (let r0 = 0; r0 < m; r0 += BLOCK) {
      const count = Math.min(BLOCK, m - r0);
      for (let q = 0; q < count; q++) x.set(queries.subarray((r0 + q) * dims, (r0 + q + 1) * dims), q * dp);
      // the kernel takes rows in pairs: an odd block computes one padding row more
      dots(idxOff, count + (count & 1), qOff, dp * 4, 0, sPad, dp * 4, outOff);
      visit(r0, count, out, sPad);
    }
  } finally {
    releaseMemory(memory);
  }
}

/** G[i * s + j] = rows[i] . rows[j] for s row-major rows of `dims` floats. */
export function gramMatrix(rows: Float32Array, s: number, dims: number): Float32Array {
  if (rows.length !== s * dims) throw new RangeError(`gramMatrix: rows has ${rows.length} values, expected ${s}*${dims}`);
  const gram = new Float32Array(s * s);
  forEachDotBlock(rows, s, rows, s, dims, (first, count, dots, stride) => {
    for (let q = 0; q < count; q++) gram.set(dots.subarray(q * stride, q * stride + s), (first + q) * s);
  });
  return gram;
}
