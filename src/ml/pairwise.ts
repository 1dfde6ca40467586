/**
 * All pairwise dot products of a small set of rows (a Gram matrix), through the SIMD kernel of
 * dot-kernel.ts. For samples of a few thousand rows (silhouette): s x s float32 values.
 */
import { createKernels, TILE_CENTRES, TILE_ROWS } from './kernels/kernels.js';
import { acquireMemory, releaseMemory } from './memory-pool.js';

const BLOCK = 256;

/** G[i * s + j] = rows[i] . rows[j] for s row-major rows of `dims` floats. */
export function gramMatrix(rows: Float32Array, s: number, dims: number): Float32Array {
  if (rows.length !== s * dims) throw new RangeError(`gramMatrix: rows has ${rows.length} values, expected ${s}*${dims}`);
  const dp = Math.ceil(dims / 4) * 4;
  const sPad = Math.ceil(s / TILE_CENTRES) * TILE_CENTRES;
  const xBytes = sPad * dp * 4;
  const idxOff = xBytes;
  const outOff = idxOff + Math.ceil(((sPad + TILE_ROWS) * 4) / 16) * 16;
  const bytes = outOff + (BLOCK + TILE_ROWS) * sPad * 4;
  const memory = acquireMemory(bytes, `a Gram matrix of ${s} rows`);
  const x = new Float32Array(memory.buffer, 0, sPad * dp);
  x.fill(0);
  for (let i = 0; i < s; i++) x.set(rows.subarray(i * dims, (i + 1) * dims), i * dp);
  const ident = new Int32Array(memory.buffer, idxOff, sPad + TILE_ROWS);
  for (let i = 0; i < ident.length; i++) ident[i] = Math.min(i, sPad - 1);
  const out = new Float32Array(memory.buffer, outOff, (BLOCK + TILE_ROWS) * sPad);
  const { dots } = createKernels(memory);
  const gram = new Float32Array(s * s);
  for (let r0 = 0; r0 < s; r0 += BLOCK) {
    const count = Math.min(BLOCK, s - r0);
    dots(idxOff + r0 * 4, count + (count & 1), 0, dp * 4, 0, sPad, dp * 4, outOff);
    for (let q = 0; q < count; q++) gram.set(out.subarray(q * sPad, q * sPad + s), (r0 + q) * s);
  }
  releaseMemory(memory);
  return gram;
}
