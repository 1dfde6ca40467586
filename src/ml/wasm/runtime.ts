/**
 * The slice of the WebAssembly JS API this folder uses, typed locally: @types/node 20 declares no
 * WebAssembly values and the project's lib has no DOM. Same objects as the global `WebAssembly`.
 */

/** A WebAssembly.Memory; k-means always creates shared ones. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}

/** A compiled module. */
export type WasmModule = object;

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

/** The global WebAssembly object, or undefined where the runtime has none. */
export const wasm: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
