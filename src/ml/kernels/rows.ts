/**
 * Emitters for the row kernels of the centre update (WebAssembly SIMD, float32 rows widened to
 * float64 two at a time): adding a row to a float64 sum, moving it between two sums, and its
 * squared norm in float64. dimBytes must be a multiple of 16.
 */
import { FunctionBuilder, op, T, type FuncDef } from '../wasm/asm.js';

const get = op.localGet;
const set = op.localSet;

/** addRow(xPtr, dimBytes, toPtr) / moveRow(xPtr, dimBytes, fromPtr, toPtr): to += x (from -= x). */
export function emitRowUpdate(move: boolean): FuncDef {
  const params = move ? 4 : 3;
  const [x, dimBytes] = [0, 1] as const;
  const from = 2;
  const to = move ? 3 : 2;
  const b = new FunctionBuilder(params);
  const d = b.local(T.i32);
  const v = b.local(T.v128);
  const at = b.local(T.i32);
  // for d in 0, 8, ..: v = f64x2(x[d/4], x[d/4 + 1]); sums at byte 2 * d
  b.emit(op.i32Const(0), set(d), op.loop);
  b.emit(get(x), get(d), op.i32Add, op.v128Load64Zero(), op.f64x2PromoteLowF32x4, set(v));
  b.emit(get(d), op.i32Const(1), op.i32Shl, set(at));
  b.emit(get(to), get(at), op.i32Add, get(to), get(at), op.i32Add, op.v128Load(), get(v), op.f64x2Add, op.v128Store());
  if (move) b.emit(get(from), get(at), op.i32Add, get(from), get(at), op.i32Add, op.v128Load(), get(v), op.f64x2Sub, op.v128Store());
  b.emit(get(d), op.i32Const(8), op.i32Add, op.localTee(d), get(dimBytes), op.i32LtU, op.brIf(0), op.end);
  return { name: move ? 'moveRow' : 'addRow', params: new Array<number>(params).fill(T.i32), results: [], locals: b.locals, body: b.code };
}

/** sqNorm(xPtr, dimBytes) -> f64: sum of squares, two float64 lanes, combined at the end. */
export function emitSqNorm(): FuncDef {
  const [x, dimBytes] = [0, 1] as const;
  const b = new FunctionBuilder(2);
  const d = b.local(T.i32);
  const v = b.local(T.v128);
  const acc = b.local(T.v128);
  b.emit(op.v128Zero, set(acc), op.i32Const(0), set(d), op.loop);
  b.emit(get(x), get(d), op.i32Add, op.v128Load64Zero(), op.f64x2PromoteLowF32x4, set(v));
  b.emit(get(acc), get(v), get(v), op.f64x2Mul, op.f64x2Add, set(acc));
  b.emit(get(d), op.i32Const(8), op.i32Add, op.localTee(d), get(dimBytes), op.i32LtU, op.brIf(0), op.end);
  b.emit(get(acc), op.f64x2ExtractLane(0), get(acc), op.f64x2ExtractLane(1), op.f64Add);
  return { name: 'sqNorm', params: [T.i32, T.i32], results: [T.f64], locals: b.locals, body: b.code };
}
