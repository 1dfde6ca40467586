/**
 * A minimal WebAssembly binary emitter for the narrow kernels of wasm-narrow.ts: one imported
 * memory, functions of i32 parameters, i32/v128 locals, loops and f32/f32x4 arithmetic.
 * Reference: WebAssembly core specification 2.0, binary format (chapter 5), fixed-width SIMD.
 * Also the slice of the WebAssembly JS API used here, typed locally (@types/node 20 declares no
 * WebAssembly values and the project's lib has no DOM).
 */

import { sleb, uleb, type Code } from '../wasm/asm.js';

export type { Code };

const vec = (items: Code[]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: Code): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));
const simd = (opcode: number, ...rest: number[]): number[] => [0xfd, ...uleb(opcode), ...rest];

export const I32 = 0x7f;
export const V128 = 0x7b;

/** The instructions the kernels use, by their text-format names (natural alignment hints). */
export const op = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number): Code => [0x21, ...uleb(i)],
  tee: (i: number): Code => [0x22, ...uleb(i)],
  i32: (v: number): Code => [0x41, ...sleb(v)],
  add: [0x6a],
  mul: [0x6c],
  ltU: [0x49],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  f32Load: (offset = 0): Code => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0): Code => [0x38, 2, ...uleb(offset)],
  f32Add: [0x92],
  v128Load: (offset = 0): Code => simd(0x00, 4, ...uleb(offset)),
  v128Store: (offset = 0): Code => simd(0x0b, 4, ...uleb(offset)),
  v128Zero: simd(0x0c, ...new Array<number>(16).fill(0)),
  f32x4Splat: simd(0x13),
  f32x4Lane: (lane: number): Code => simd(0x1f, lane),
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
};

/** One exported function: i32 parameters, extra locals by type, body (without the final end). */
export interface Func {
  name: string;
  params: number;
  locals: number[];
  body: Code[];
}

/** A module importing `env.memory` (not shared) and exporting `funcs`; none returns a value. */
export function encodeModule(funcs: Func[]): Uint8Array {
  const types = section(1, vec(funcs.map((f) => [0x60, ...vec(new Array(f.params).fill([I32])), ...vec([])])));
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]));
  const functions = section(3, vec(funcs.map((_, i) => uleb(i))));
  const exports = section(7, vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const bodies = funcs.map((f) => {
    const body = [...vec(f.locals.map((t) => [1, t])), ...f.body.flat(), ...op.end];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...functions, ...exports, ...section(10, vec(bodies))]);
}

/** A WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

/** The global WebAssembly object, or undefined where the runtime has none. */
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
