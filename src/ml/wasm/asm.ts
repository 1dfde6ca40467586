/**
 * A minimal WebAssembly binary emitter: just the sections and opcodes the SIMD kernels of this
 * folder need (one imported memory, i32 control flow, f32 scalar and f32x4 vector arithmetic).
 * Reference: WebAssembly core spec 2.0, binary format (chapter 5) and the fixed-width SIMD opcodes.
 */

/** One encoded instruction or instruction sequence. */
export type Code = readonly number[];

/** Unsigned LEB128. */
export function uleb(value: number): Code {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(value: number): Code {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];
const name = (s: string): Code => vec([...new TextEncoder().encode(s)].map((b) => [b]));
const simd = (opcode: number, ...rest: number[]): Code => [0xfd, ...uleb(opcode), ...rest];

/** Value types. */
export const T = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;

/** Instructions, by their text-format names. Memory alignment hints are the natural ones. */
export const op = {
  localGet: (i: number): Code => [0x20, ...uleb(i)],
  localSet: (i: number): Code => [0x21, ...uleb(i)],
  localTee: (i: number): Code => [0x22, ...uleb(i)],
  i32Const: (v: number): Code => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32LtU: [0x49],
  i32GeU: [0x4f],
  i32Load: (offset = 0): Code => [0x28, 2, ...uleb(offset)],
  f32Load: (offset = 0): Code => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0): Code => [0x38, 2, ...uleb(offset)],
  f32Add: [0x92],
  f64Add: [0xa0],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  v128Load: (offset = 0): Code => simd(0x00, 4, ...uleb(offset)),
  v128Store: (offset = 0): Code => simd(0x0b, 4, ...uleb(offset)),
  v128Zero: simd(0x0c, ...new Array<number>(16).fill(0)),
  f32x4ExtractLane: (lane: number): Code => simd(0x1f, lane),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  v128Load64Zero: (offset = 0): Code => simd(0x5d, 3, ...uleb(offset)),
  f64x2PromoteLowF32x4: simd(0x5f),
  f64x2ExtractLane: (lane: number): Code => simd(0x21, lane),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
} as const;

/** Collects a function body and its locals (numbered after the parameters). */
export class FunctionBuilder {
  readonly code: number[] = [];
  readonly locals: number[] = [];
  constructor(private readonly params: number) {}

  /** Declares a local of `type`; returns its index. */
  local(type: number): number {
    return this.locals.push(type) + this.params - 1;
  }

  emit(...parts: Code[]): void {
    for (const p of parts) this.code.push(...p);
  }

  /** Pushes the horizontal sum of f32x4 local `v` as (l0 + l1) + (l2 + l3). */
  hsum(v: number): void {
    const get = op.localGet;
    this.emit(get(v), op.f32x4ExtractLane(0), get(v), op.f32x4ExtractLane(1), op.f32Add);
    this.emit(get(v), op.f32x4ExtractLane(2), get(v), op.f32x4ExtractLane(3), op.f32Add, op.f32Add);
  }
}

/** One exported function: its signature, extra locals (by type, in order) and body. */
export interface FuncDef {
  name: string;
  params: number[];
  results: number[];
  locals: number[];
  body: Code;
}

/**
 * Encodes a module importing one memory as `env.memory` and exporting the given functions.
 * `sharedMemory` declares it shared (needed to run the same memory on several threads).
 */
export function encodeModule(funcs: FuncDef[], sharedMemory: boolean, maxPages = 65536): Uint8Array {
  const types = section(1, vec(funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))])));
  const limits = sharedMemory ? [0x03, ...uleb(1), ...uleb(maxPages)] : [0x00, ...uleb(1)];
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]]));
  const functions = section(3, vec(funcs.map((_, i) => uleb(i))));
  const exports = section(7, vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const bodies = funcs.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const body = [...locals, ...f.body, ...op.end];
    return [...uleb(body.length), ...body];
  });
  const code = section(10, vec(bodies));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...functions, ...exports, ...code]);
}
