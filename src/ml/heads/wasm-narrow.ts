/**
 * One fused pass over a fixed matrix X for a few outputs (k ≤ NARROW_MAX, e.g. the one logit of
 * a binomial head), in WebAssembly SIMD: for each block of BLOCK rows, the logits Z_b = X_b·Wᵀ
 * are computed, handed to the caller (who returns the block's loss and writes its residuals R_b),
 * and Gᵀ += R_bᵀ·X_b is accumulated while the block is still in cache. X is read from memory once
 * per pass instead of twice, which is what bounds these memory-bound products. Block sums are
 * float32, the total across blocks float64.
 */
import { encodeModule, I32, op, V128, wasmApi, type Code, type Func, type WasmMemory } from './wasm-emit.js';

/** Most outputs a narrow pass takes. */
export const NARROW_MAX = 8;
/** Rows per block (64 rows of 512 floats: 128 KiB, cache-resident between the two kernels). */
const BLOCK = 64;
const PAGE = 65536;

/** dots(x, rows, dBytes, w, k, z): z[i·k + q] = x_i · w_q for each row i and output q. */
function dots(): Func {
  const [x, rows, dBytes, w, k, z] = [0, 1, 2, 3, 4, 5];
  const [i, q, j, wq, acc, acc2] = [6, 7, 8, 9, 10, 11];
  const { get, set } = op;
  const body: Code[] = [
    op.i32(0), set(i), op.loop,
    op.i32(0), set(q), get(w), set(wq), op.loop,
    op.v128Zero, set(acc), op.v128Zero, set(acc2), op.i32(0), set(j), op.loop,
    get(acc), get(x), get(j), op.add, op.v128Load(), get(wq), get(j), op.add, op.v128Load(), op.f32x4Mul, op.f32x4Add, set(acc),
    get(acc2), get(x), get(j), op.add, op.v128Load(16), get(wq), get(j), op.add, op.v128Load(16), op.f32x4Mul, op.f32x4Add, set(acc2),
    get(j), op.i32(32), op.add, op.tee(j), get(dBytes), op.ltU, op.brIf(0), op.end,
    get(acc), get(acc2), op.f32x4Add, set(acc),
    get(z), get(acc), op.f32x4Lane(0), get(acc), op.f32x4Lane(1), op.f32Add, get(acc), op.f32x4Lane(2), get(acc), op.f32x4Lane(3), op.f32Add, op.f32Add, op.f32Store(),
    get(z), op.i32(4), op.add, set(z),
    get(wq), get(dBytes), op.add, set(wq),
    get(q), op.i32(1), op.add, op.tee(q), get(k), op.ltU, op.brIf(0), op.end,
    get(x), get(dBytes), op.add, set(x),
    get(i), op.i32(1), op.add, op.tee(i), get(rows), op.ltU, op.brIf(0), op.end,
  ];
  return { name: 'dots', params: 6, locals: [I32, I32, I32, I32, V128, V128], body };
}

/** axpys(x, rows, dBytes, r, k, g): g_q += r[i·k + q] · x_i for each row i and output q. */
function axpys(): Func {
  const [x, rows, dBytes, r, k, g] = [0, 1, 2, 3, 4, 5];
  const [i, q, j, gq, a] = [6, 7, 8, 9, 10];
  const { get, set } = op;
  const body: Code[] = [
    op.i32(0), set(i), op.loop,
    op.i32(0), set(q), get(g), set(gq), op.loop,
    get(r), op.f32Load(), op.f32x4Splat, set(a), get(r), op.i32(4), op.add, set(r),
    op.i32(0), set(j), op.loop,
    get(gq), get(j), op.add, get(gq), get(j), op.add, op.v128Load(), get(a), get(x), get(j), op.add, op.v128Load(), op.f32x4Mul, op.f32x4Add, op.v128Store(),
    get(gq), get(j), op.add, get(gq), get(j), op.add, op.v128Load(16), get(a), get(x), get(j), op.add, op.v128Load(16), op.f32x4Mul, op.f32x4Add, op.v128Store(16),
    get(j), op.i32(32), op.add, op.tee(j), get(dBytes), op.ltU, op.brIf(0), op.end,
    get(gq), get(dBytes), op.add, set(gq),
    get(q), op.i32(1), op.add, op.tee(q), get(k), op.ltU, op.brIf(0), op.end,
    get(x), get(dBytes), op.add, set(x),
    get(i), op.i32(1), op.add, op.tee(i), get(rows), op.ltU, op.brIf(0), op.end,
  ];
  return { name: 'axpys', params: 6, locals: [I32, I32, I32, I32, V128], body };
}

/** The kernels with their memory: one per thread, grown as needed and kept (fresh pages are costly to fault in). */
interface Kernels {
  memory: WasmMemory;
  dots: (...a: number[]) => void;
  axpys: (...a: number[]) => void;
  /** Bumped by each narrowPass: a pass whose generation is stale no longer owns the memory. */
  generation: number;
}

let kernels: Kernels | null | undefined;

function loadKernels(): Kernels | null {
  if (kernels === undefined) {
    try {
      if (!wasmApi) throw new Error('no WebAssembly');
      const memory = new wasmApi.Memory({ initial: 1 });
      const e = new wasmApi.Instance(new wasmApi.Module(encodeModule([dots(), axpys()])), { env: { memory } }).exports;
      kernels = { memory, dots: e.dots as Kernels['dots'], axpys: e.axpys as Kernels['axpys'], generation: 0 };
    } catch {
      kernels = null; // no WebAssembly SIMD here
    }
  }
  return kernels;
}

/**
 * The block callback: `z` holds the block's logits (rows × k, bias not added) for rows
 * start..start+rows-1; it writes dLoss/dz into `r` (same shape) and returns the block's loss.
 */
export type BlockFn = (z: Float32Array, start: number, rows: number, r: Float32Array) => number;

/** A fixed X ready for fused passes. */
export interface FusedPass {
  readonly rows: number;
  readonly cols: number;
  /** One pass with weights `wT` (k × cols, row q = output q): the summed loss and Gᵀ = Rᵀ·X (k × cols). */
  run(wT: Float32Array, k: number, block: BlockFn): { loss: number; gT: Float64Array };
}

/**
 * A fused pass over a copy of `x` (rows × cols); null where WebAssembly SIMD is missing or cols is
 * not a multiple of 8. The copy lives in this thread's kernel memory: creating another pass makes
 * this one unusable (its `run` throws), so use one at a time.
 */
export function narrowPass(x: Float32Array, rows: number, cols: number): FusedPass | null {
  const k = loadKernels();
  if (!k || cols % 8 !== 0 || rows === 0) return null;
  const dBytes = cols * 4;
  const layout = { x: 0, w: rows * dBytes, z: rows * dBytes + NARROW_MAX * dBytes };
  const r = layout.z + BLOCK * NARROW_MAX * 4;
  const g = r + BLOCK * NARROW_MAX * 4;
  const bytes = g + NARROW_MAX * dBytes;
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / PAGE));
  const generation = ++k.generation;
  const f32 = new Float32Array(k.memory.buffer);
  f32.set(x.subarray(0, rows * cols), 0);
  const zView = f32.subarray(layout.z / 4, layout.z / 4 + BLOCK * NARROW_MAX);
  const rView = f32.subarray(r / 4, r / 4 + BLOCK * NARROW_MAX);
  const gView = f32.subarray(g / 4, g / 4 + NARROW_MAX * cols);
  return {
    rows,
    cols,
    run(wT, outputs, block) {
      if (k.generation !== generation) throw new Error('this narrow pass was superseded by a newer one on the same thread');
      if (!(outputs >= 1 && outputs <= NARROW_MAX)) throw new RangeError(`a narrow pass takes 1 to ${NARROW_MAX} outputs, got ${outputs}`);
      f32.set(wT.subarray(0, outputs * cols), layout.w / 4);
      const gT = new Float64Array(outputs * cols);
      const width = outputs * cols;
      let loss = 0;
      for (let start = 0; start < rows; start += BLOCK) {
        const m = Math.min(BLOCK, rows - start);
        const xPtr = layout.x + start * dBytes;
        k.dots(xPtr, m, dBytes, layout.w, outputs, layout.z);
        loss += block(zView.subarray(0, m * outputs), start, m, rView.subarray(0, m * outputs));
        gView.fill(0, 0, width);
        k.axpys(xPtr, m, dBytes, r, outputs, g);
        for (let t = 0; t < width; t++) gT[t]! += gView[t]!;
      }
      return { loss, gT };
    },
  };
}
