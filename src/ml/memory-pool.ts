/**
 * Reuse of the large shared WebAssembly memories k-means works in. Touching fresh memory costs a
 * page fault per page (on some VMs ~25 ms per MiB, seconds for a 100k x 512 input), so a finished
 * run hands its memory back and the next run of a similar size reuses it. At most POOL_SIZE
 * memories are kept; a memory is reused only for a request of at least half its size. Reused
 * memory holds old data: callers initialise every region they read.
 */
import { wasm, type WasmMemory } from './wasm/runtime.js';

const PAGE = 65536;
const MAX_PAGES = 65536;
const POOL_SIZE = 2;
const HEADROOM_PAGES = 16;

const pool: WasmMemory[] = [];

/** A shared memory of at least `bytes` (pooled when one fits), or a RangeError naming `what` and the limit. */
export function acquireMemory(bytes: number, what: string, hint = ''): WasmMemory {
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) {
    const gib = (bytes / 2 ** 30).toFixed(2);
    throw new RangeError(`${what} needs ${gib} GiB of working memory, over the 4 GiB WebAssembly limit${hint}`);
  }
  let best = -1;
  pool.forEach((m, i) => {
    const size = m.buffer.byteLength;
    if (size >= bytes && size <= 2 * bytes && (best < 0 || size < pool[best]!.buffer.byteLength)) best = i;
  });
  if (best >= 0) return pool.splice(best, 1)[0]!;
  // a little headroom, so that a run of nearly the same shape (another thread count) fits later
  const sized = Math.min(MAX_PAGES, pages + HEADROOM_PAGES + (pages >> 6));
  if (wasm) return new wasm.Memory({ initial: sized, maximum: sized, shared: true });
  return { buffer: new SharedArrayBuffer(sized * PAGE) };
}

/** Hands a memory back for reuse; the caller must not touch it afterwards. */
export function releaseMemory(memory: WasmMemory): void {
  pool.unshift(memory);
  pool.length = Math.min(pool.length, POOL_SIZE);
}

/**
 * Writes one byte per 4 KiB page of `memory`, so the pages are backed before a timed run (the
 * contents are left meaningless; users initialise what they read).
 */
export function touchPages(memory: WasmMemory): void {
  const bytes = new Uint8Array(memory.buffer);
  for (let at = 0; at < bytes.length; at += 4096) bytes[at] = 0;
}

/** Drops the pooled memories (they are freed once nothing else refers to them). */
export function clearMemoryPool(): void {
  pool.length = 0;
}
