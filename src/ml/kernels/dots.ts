/**
 * Emitters for the two dot-product kernels (WebAssembly SIMD, f32x4):
 * - `dots`: gathered rows x a block of centres, register-blocked 2 rows x 4 centres (8 vector
 *   accumulators, 6 loads per 16 vector ops; on V8/x64 this beat 1x8, 3x4 and 4x4 tilings, which
 *   spill out of the 16 xmm registers);
 * - `dotPairs`: a list of (row, centre) pairs, for the few distances the Hamerly and Elkan bounds
 *   cannot rule out.
 * The JS references in kernels.ts add in the same order and agree bit for bit.
 */
import { FunctionBuilder, op, T, type FuncDef } from '../wasm/asm.js';

/** Rows and centres per register tile of `dots`. */
export const TILE_ROWS = 2;
export const TILE_CENTRES = 4;

const get = op.localGet;
const set = op.localSet;

/**
 * dots(idxPtr, count, xPtr, rowBytes, cPtr, cRows, dimBytes, outPtr):
 * out[q * cRows + j] = X[idx[q]] . C[j]. Needs count even, cRows % 4 == 0, dimBytes % 16 == 0.
 */
export function emitDots(): FuncDef {
  const R = TILE_ROWS;
  const C = TILE_CENTRES;
  const [idx, count, xPtr, rowBytes, cPtr, cRows, dimBytes, out] = [0, 1, 2, 3, 4, 5, 6, 7] as const;
  const b = new FunctionBuilder(8);
  const q0 = b.local(T.i32);
  const j = b.local(T.i32);
  const d = b.local(T.i32);
  const o = b.local(T.i32);
  const rowAt = Array.from({ length: R }, () => b.local(T.i32));
  const centreAt = Array.from({ length: C }, () => b.local(T.i32));
  const xv = Array.from({ length: R }, () => b.local(T.v128));
  const cv = Array.from({ length: C }, () => b.local(T.v128));
  const acc = Array.from({ length: R * C }, () => b.local(T.v128));

  // for (q0 = 0; q0 < count; q0 += R)
  b.emit(op.i32Const(0), set(q0), op.block, op.loop, get(q0), get(count), op.i32GeU, op.brIf(1));
  for (let r = 0; r < R; r++) {
    // rowAt[r] = xPtr + idx[q0 + r] * rowBytes
    b.emit(get(xPtr), get(idx), get(q0), op.i32Const(r), op.i32Add, op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load());
    b.emit(get(rowBytes), op.i32Mul, op.i32Add, set(rowAt[r]!));
  }
  // for (j = 0; j < cRows; j += C)
  b.emit(op.i32Const(0), set(j), op.block, op.loop, get(j), get(cRows), op.i32GeU, op.brIf(1));
  for (let c = 0; c < C; c++) {
    b.emit(get(cPtr), get(j), op.i32Const(c), op.i32Add, get(dimBytes), op.i32Mul, op.i32Add, set(centreAt[c]!));
  }
  for (const a of acc) b.emit(op.v128Zero, set(a));
  // do { acc[r][c] += x[r][d..d+3] * c[c][d..d+3] } while ((d += 16) < dimBytes)
  b.emit(op.i32Const(0), set(d), op.loop);
  for (let r = 0; r < R; r++) b.emit(get(rowAt[r]!), get(d), op.i32Add, op.v128Load(), set(xv[r]!));
  for (let c = 0; c < C; c++) b.emit(get(centreAt[c]!), get(d), op.i32Add, op.v128Load(), set(cv[c]!));
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const a = acc[r * C + c]!;
      b.emit(get(a), get(xv[r]!), get(cv[c]!), op.f32x4Mul, op.f32x4Add, set(a));
    }
  }
  b.emit(get(d), op.i32Const(16), op.i32Add, op.localTee(d), get(dimBytes), op.i32LtU, op.brIf(0), op.end);
  // out[(q0 + r) * cRows + j + c] = hsum(acc[r][c])
  for (let r = 0; r < R; r++) {
    b.emit(get(out), get(q0), op.i32Const(r), op.i32Add, get(cRows), op.i32Mul, get(j), op.i32Add, op.i32Const(2), op.i32Shl);
    b.emit(op.i32Add, set(o));
    for (let c = 0; c < C; c++) {
      b.emit(get(o));
      b.hsum(acc[r * C + c]!);
      b.emit(op.f32Store(4 * c));
    }
  }
  b.emit(get(j), op.i32Const(C), op.i32Add, set(j), op.br(0), op.end, op.end);
  b.emit(get(q0), op.i32Const(R), op.i32Add, set(q0), op.br(0), op.end, op.end);
  return { name: 'dots', params: new Array<number>(8).fill(T.i32), results: [], locals: b.locals, body: b.code };
}

/**
 * dotPairs(rowIdxPtr, centreIdxPtr, count, xPtr, rowBytes, cPtr, dimBytes, outPtr):
 * out[q] = X[rowIdx[q]] . C[centreIdx[q]]. Four vector accumulators (vector v goes to v mod 4),
 * combined as (a0 + a1) + (a2 + a3) then summed across lanes. Needs dimBytes % 64 == 0.
 */
export function emitDotPairs(): FuncDef {
  const [rowIdx, centreIdx, count, xPtr, rowBytes, cPtr, dimBytes, out] = [0, 1, 2, 3, 4, 5, 6, 7] as const;
  const b = new FunctionBuilder(8);
  const q = b.local(T.i32);
  const row = b.local(T.i32);
  const centre = b.local(T.i32);
  const d = b.local(T.i32);
  const acc = Array.from({ length: 4 }, () => b.local(T.v128));
  b.emit(op.i32Const(0), set(q), op.block, op.loop, get(q), get(count), op.i32GeU, op.brIf(1));
  // row = xPtr + rowIdx[q] * rowBytes; centre = cPtr + centreIdx[q] * dimBytes
  b.emit(get(xPtr), get(rowIdx), get(q), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), get(rowBytes), op.i32Mul, op.i32Add, set(row));
  b.emit(get(cPtr), get(centreIdx), get(q), op.i32Const(2), op.i32Shl, op.i32Add, op.i32Load(), get(dimBytes), op.i32Mul, op.i32Add);
  b.emit(set(centre));
  for (const a of acc) b.emit(op.v128Zero, set(a));
  b.emit(op.i32Const(0), set(d), op.loop);
  acc.forEach((a, v) => {
    b.emit(get(a), get(row), get(d), op.i32Add, op.v128Load(16 * v), get(centre), get(d), op.i32Add, op.v128Load(16 * v));
    b.emit(op.f32x4Mul, op.f32x4Add, set(a));
  });
  b.emit(get(d), op.i32Const(64), op.i32Add, op.localTee(d), get(dimBytes), op.i32LtU, op.brIf(0), op.end);
  b.emit(get(acc[0]!), get(acc[1]!), op.f32x4Add, get(acc[2]!), get(acc[3]!), op.f32x4Add, op.f32x4Add, set(acc[0]!));
  b.emit(get(out), get(q), op.i32Const(2), op.i32Shl, op.i32Add);
  b.hsum(acc[0]!);
  b.emit(op.f32Store(0));
  b.emit(get(q), op.i32Const(1), op.i32Add, set(q), op.br(0), op.end, op.end);
  return { name: 'dotPairs', params: new Array<number>(8).fill(T.i32), results: [], locals: b.locals, body: b.code };
}
