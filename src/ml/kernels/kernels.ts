/**
 * The WebAssembly SIMD kernels of k-means and silhouette, emitted at load time (dots.ts,
 * rows.ts), compiled once per thread and bound to one shared memory. Pointers are byte
 * offsets into that memory. `referenceKernels` is the same contract in plain JS: the definition the
 * tests check the SIMD code against, and the fallback where WebAssembly SIMD is missing.
 */
import { emitDotPairs, emitDots } from './dots.js';
import { emitRowUpdate, emitSqNorm } from './rows.js';
import { encodeModule } from '../wasm/asm.js';
import { wasm, type WasmMemory, type WasmModule } from '../wasm/runtime.js';

export { TILE_CENTRES, TILE_ROWS } from './dots.js';

/** The kernels; see dots.ts and rows.ts for each contract. */
export interface Kernels {
  dots(idxPtr: number, count: number, xPtr: number, rowBytes: number, cPtr: number, cRows: number, dimBytes: number, outPtr: number): void;
  dotPairs(rowIdxPtr: number, centreIdxPtr: number, count: number, xPtr: number, rowBytes: number, cPtr: number, dimBytes: number, outPtr: number): void;
  addRow(xPtr: number, dimBytes: number, toPtr: number): void;
  moveRow(xPtr: number, dimBytes: number, fromPtr: number, toPtr: number): void;
  sqNorm(xPtr: number, dimBytes: number): number;
  /** False for the plain-JS fallback. */
  simd: boolean;
}

/** The module's bytes (imports a shared env.memory). */
export function buildKernelModule(): Uint8Array {
  return encodeModule([emitDots(), emitDotPairs(), emitRowUpdate(false), emitRowUpdate(true), emitSqNorm()], true);
}

let compiled: WasmModule | null | undefined;

function kernelModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = wasm ? new wasm.Module(buildKernelModule()) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Kernels bound to `memory`: SIMD where available (unless forceReference), else the JS reference. */
export function createKernels(memory: WasmMemory, forceReference = false): Kernels {
  const mod = forceReference ? null : kernelModule();
  if (!mod || !wasm) return referenceKernels(memory.buffer);
  const e = new wasm.Instance(mod, { env: { memory } }).exports as unknown as Omit<Kernels, 'simd'>;
  return { dots: e.dots, dotPairs: e.dotPairs, addRow: e.addRow, moveRow: e.moveRow, sqNorm: e.sqNorm, simd: true };
}

/** Lanes of a f32x4, summed as (l0 + l1) + (l2 + l3). */
function hsum(l: Float32Array, at = 0): number {
  return Math.fround(Math.fround(l[at]! + l[at + 1]!) + Math.fround(l[at + 2]! + l[at + 3]!));
}

/** A float32 dot product in one f32x4 accumulator, like `dots`. */
function laneDot(f32: Float32Array, a: number, b: number, dims: number): number {
  const lanes = new Float32Array(4);
  for (let t = 0; t < dims; t++) lanes[t & 3] = lanes[t & 3]! + Math.fround(f32[a + t]! * f32[b + t]!);
  return hsum(lanes);
}

/** A float32 dot product in four f32x4 accumulators (vector v to v mod 4), like `dotPairs`. */
function quadDot(f32: Float32Array, a: number, b: number, dims: number): number {
  const acc = new Float32Array(16);
  for (let t = 0; t < dims; t++) acc[((t >> 2) & 3) * 4 + (t & 3)] = acc[((t >> 2) & 3) * 4 + (t & 3)]! + Math.fround(f32[a + t]! * f32[b + t]!);
  const s = new Float32Array(4);
  for (let l = 0; l < 4; l++) s[l] = Math.fround(Math.fround(acc[l]! + acc[4 + l]!) + Math.fround(acc[8 + l]! + acc[12 + l]!));
  return hsum(s);
}

/** The kernels in plain JS over `buffer`. */
function referenceKernels(buffer: ArrayBufferLike): Kernels {
  const f32 = new Float32Array(buffer);
  const f64 = new Float64Array(buffer);
  const i32 = new Int32Array(buffer);
  return {
    simd: false,
    dots(idxPtr, count, xPtr, rowBytes, cPtr, cRows, dimBytes, outPtr) {
      const dims = dimBytes >> 2;
      for (let q = 0; q < count; q++) {
        const row = (xPtr + i32[(idxPtr >> 2) + q]! * rowBytes) >> 2;
        for (let j = 0; j < cRows; j++) f32[(outPtr >> 2) + q * cRows + j] = laneDot(f32, row, (cPtr >> 2) + j * dims, dims);
      }
    },
    dotPairs(rowIdxPtr, centreIdxPtr, count, xPtr, rowBytes, cPtr, dimBytes, outPtr) {
      for (let q = 0; q < count; q++) {
        const row = (xPtr + i32[(rowIdxPtr >> 2) + q]! * rowBytes) >> 2;
        const c = (cPtr + i32[(centreIdxPtr >> 2) + q]! * dimBytes) >> 2;
        f32[(outPtr >> 2) + q] = quadDot(f32, row, c, dimBytes >> 2);
      }
    },
    addRow(xPtr, dimBytes, toPtr) {
      for (let t = 0; t < dimBytes >> 2; t++) f64[(toPtr >> 3) + t] = f64[(toPtr >> 3) + t]! + f32[(xPtr >> 2) + t]!;
    },
    moveRow(xPtr, dimBytes, fromPtr, toPtr) {
      for (let t = 0; t < dimBytes >> 2; t++) {
        const v = f32[(xPtr >> 2) + t]!;
        f64[(toPtr >> 3) + t] = f64[(toPtr >> 3) + t]! + v;
        f64[(fromPtr >> 3) + t] = f64[(fromPtr >> 3) + t]! - v;
      }
    },
    sqNorm(xPtr, dimBytes) {
      let even = 0;
      let odd = 0;
      for (let t = 0; t < dimBytes >> 2; t += 2) {
        even += f32[(xPtr >> 2) + t]! ** 2;
        odd += f32[(xPtr >> 2) + t + 1]! ** 2;
      }
      return even + odd;
    },
  };
}
