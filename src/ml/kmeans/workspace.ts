/**
 * Where k-means keeps its state: one shared WebAssembly.Memory holding the data (rows zero-padded
 * to a multiple of 16 floats), per-row state and bounds, the centres, per-chunk partial results and
 * a scratch area per thread. Rows are split into fixed chunks that depend only on (n, k, dims),
 * never on the thread count, so partial sums reduce in the same order and results are
 * bit-identical whether one thread or several do the work.
 */
import { createKernels, TILE_CENTRES, TILE_ROWS, type Kernels } from '../kernels/kernels.js';
import { acquireMemory } from '../memory-pool.js';
import type { WasmMemory } from '../wasm/runtime.js';

/** Rows per kernel call (the scratch block). */
export const BLOCK_ROWS = 256;
/** Rows per chunk, at least; chunks are the unit of work sharing and of deterministic reduction. */
const MIN_CHUNK_ROWS = 2048;
const MAX_CHUNKS = 64;
/** Cap on the per-chunk centre sums (nChunks * k * dims * 8 bytes). */
const CHUNK_SUM_BYTES = 64 * 2 ** 20;
/** Elkan's per-centre lower bounds (n * k float32) are kept up to this many. */
const MAX_ELKAN_BOUNDS = 2 ** 25;

/** Per-chunk statistics: slots of ws.chunkStats, STATS per chunk. */
export const STAT = { changed: 0, sum: 1, badRow: 2, work: 3, tightened: 4, tightFailed: 5 } as const;
export const STATS = 8;

/** Greedy k-means++ candidates per step, as scikit-learn: 2 + floor(ln k). */
export function seedTrials(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

/** Sizes and byte offsets of every region. */
export interface Layout {
  n: number;
  dims: number;
  /** dims rounded up to a multiple of 16 (the kernels' stride). */
  dp: number;
  k: number;
  /** k rounded up to the kernel's tile. */
  kPad: number;
  trials: number;
  tPad: number;
  chunkRows: number;
  nChunks: number;
  threads: number;
  /** Whether per-centre (Elkan) lower bounds are kept, instead of Hamerly's single one. */
  elkan: boolean;
  /** Capacity of the per-thread (row, centre) pair lists. */
  pairCap: number;
  bytes: number;
  off: Record<RegionName, number>;
  /** Per-thread scratch, one offset per thread for each list. */
  scratch: Record<ScratchName, number[]>;
}

type RegionName =
  | 'x' | 'xSq' | 'labels' | 'upper' | 'lower' | 'closest' | 'candD' | 'ident' | 'centres' | 'cSq' | 'cand'
  | 'candSq' | 'move' | 'drift' | 'half' | 'cc' | 'lb' | 'chunkSums' | 'chunkSq' | 'chunkCounts' | 'chunkStats' | 'chunkPots';

/** Per-thread lists: rows for the block kernel and its output; tighten pairs; Elkan pairs. */
type ScratchName = 'full' | 'out' | 'tRows' | 'tCentres' | 'tOut' | 'eRows' | 'eCentres' | 'eOut';

/** Plans the memory for n rows of `dims` floats, k centres and `threads` worker threads. */
export function planLayout(n: number, dims: number, k: number, threads: number): Layout {
  const dp = Math.ceil(dims / 16) * 16;
  const kPad = Math.ceil(k / TILE_CENTRES) * TILE_CENTRES;
  const trials = seedTrials(k);
  const tPad = Math.ceil(trials / TILE_CENTRES) * TILE_CENTRES;
  const bySum = Math.max(1, Math.floor(CHUNK_SUM_BYTES / (k * dp * 8)));
  const nChunks = Math.max(1, Math.min(Math.ceil(n / MIN_CHUNK_ROWS), MAX_CHUNKS, bySum));
  const chunkRows = Math.ceil(n / nChunks);
  const elkan = k > 2 && n * k <= MAX_ELKAN_BOUNDS;
  const pairCap = BLOCK_ROWS + k;
  let at = 0;
  const off = {} as Record<RegionName, number>;
  const region = (name: RegionName, bytes: number): void => {
    off[name] = at;
    at += Math.ceil(bytes / 16) * 16;
  };
  region('x', n * dp * 4);
  region('xSq', n * 8);
  region('labels', n * 4);
  region('upper', n * 8);
  region('lower', elkan ? 0 : n * 8);
  region('closest', n * 8);
  region('candD', trials * n * 4);
  region('ident', (n + TILE_ROWS) * 4);
  region('centres', kPad * dp * 4);
  region('cSq', kPad * 8);
  region('cand', tPad * dp * 4);
  region('candSq', tPad * 8);
  region('move', (k + 4) * 8);
  region('half', k * 8);
  region('drift', k * 8);
  region('cc', k * k * 8);
  region('lb', elkan ? n * k * 4 : 0);
  region('chunkSums', nChunks * k * dp * 8);
  region('chunkSq', nChunks * k * 8);
  region('chunkCounts', nChunks * k * 4);
  region('chunkStats', nChunks * STATS * 8);
  region('chunkPots', nChunks * tPad * 8);
  const rows = BLOCK_ROWS + TILE_ROWS;
  const sizes: Record<ScratchName, number> = {
    full: rows * 4,
    out: rows * Math.max(kPad, tPad) * 4,
    tRows: rows * 4,
    tCentres: rows * 4,
    tOut: rows * 4,
    eRows: pairCap * 4,
    eCentres: pairCap * 4,
    eOut: pairCap * 4,
  };
  const scratch = Object.fromEntries(Object.keys(sizes).map((name) => [name, [] as number[]])) as Record<ScratchName, number[]>;
  for (let t = 0; t < threads; t++) {
    for (const name of Object.keys(sizes) as ScratchName[]) {
      scratch[name].push(at);
      at += Math.ceil(sizes[name] / 16) * 16;
    }
  }
  return { n, dims, dp, k, kPad, trials, tPad, chunkRows, nChunks, threads, elkan, pairCap, bytes: at, off, scratch };
}

/** Shared memory for a layout (pooled when possible; see memory-pool.ts), or a RangeError saying why not. */
export function allocateMemory(layout: Layout): WasmMemory {
  const { n, dims, k } = layout;
  return acquireMemory(layout.bytes, `kmeans of n=${n} x dims=${dims} (k=${k})`, '; cluster a sample of the rows instead');
}

/** One thread's typed views of the memory, its scratch area and its kernel instance. */
export class Workspace {
  readonly x: Float32Array;
  readonly xSq: Float64Array;
  readonly labels: Int32Array;
  readonly upper: Float64Array;
  /** Hamerly's lower bound (empty when layout.elkan). */
  readonly lower: Float64Array;
  readonly closest: Float64Array;
  readonly candD: Float32Array;
  readonly ident: Int32Array;
  readonly centres: Float32Array;
  readonly cSq: Float64Array;
  readonly cand: Float32Array;
  readonly candSq: Float64Array;
  /** Per-centre movement since the last assignment, then [max, second max, argmax]. */
  readonly move: Float64Array;
  /** Half the distance from each centre to its nearest other centre. */
  readonly half: Float64Array;
  /** Half the distance between every two centres (k x k). */
  readonly cc: Float64Array;
  /** Each centre's summed movement since the assignment was reset. */
  readonly drift: Float64Array;
  /**
   * Elkan lower bounds, n x k (empty unless layout.elkan), stored as distance + drift of that centre
   * when computed: the current bound is lb[i * k + j] - drift[j], so moving centres costs no writes.
   * Float32: a bound may be off by one float32 ulp, which only matters for near ties.
   */
  readonly lb: Float32Array;
  readonly chunkSums: Float64Array;
  readonly chunkSq: Float64Array;
  readonly chunkCounts: Int32Array;
  /** Per chunk, STATS slots named by STAT: changed rows, a sum, first bad row + 1, work done, tightening outcome. */
  readonly chunkStats: Float64Array;
  readonly chunkPots: Float64Array;
  /** This thread's scratch lists (views) and their byte offsets. */
  readonly full: Int32Array;
  readonly fBound: Float64Array;
  readonly out: Float32Array;
  readonly tRows: Int32Array;
  readonly tCentres: Int32Array;
  readonly tOut: Float32Array;
  readonly tBound: Float64Array;
  readonly eRows: Int32Array;
  readonly eCentres: Int32Array;
  readonly eOut: Float32Array;
  readonly ptr: Record<ScratchName, number>;
  readonly kernels: Kernels;

  constructor(
    readonly memory: WasmMemory,
    readonly layout: Layout,
    readonly thread: number,
    forceReferenceKernel = false,
  ) {
    const { n, dp, k, kPad, trials, tPad, nChunks, off } = layout;
    const buf = memory.buffer;
    this.x = new Float32Array(buf, off.x, n * dp);
    this.xSq = new Float64Array(buf, off.xSq, n);
    this.labels = new Int32Array(buf, off.labels, n);
    this.upper = new Float64Array(buf, off.upper, n);
    this.lower = new Float64Array(buf, off.lower, layout.elkan ? 0 : n);
    this.closest = new Float64Array(buf, off.closest, n);
    this.candD = new Float32Array(buf, off.candD, trials * n);
    this.ident = new Int32Array(buf, off.ident, n + TILE_ROWS);
    this.centres = new Float32Array(buf, off.centres, kPad * dp);
    this.cSq = new Float64Array(buf, off.cSq, kPad);
    this.cand = new Float32Array(buf, off.cand, tPad * dp);
    this.candSq = new Float64Array(buf, off.candSq, tPad);
    this.move = new Float64Array(buf, off.move, k + 4);
    this.half = new Float64Array(buf, off.half, k);
    this.cc = new Float64Array(buf, off.cc, k * k);
    this.drift = new Float64Array(buf, off.drift, k);
    this.lb = new Float32Array(buf, off.lb, layout.elkan ? n * k : 0);
    this.chunkSums = new Float64Array(buf, off.chunkSums, nChunks * k * dp);
    this.chunkSq = new Float64Array(buf, off.chunkSq, nChunks * k);
    this.chunkCounts = new Int32Array(buf, off.chunkCounts, nChunks * k);
    this.chunkStats = new Float64Array(buf, off.chunkStats, nChunks * STATS);
    this.chunkPots = new Float64Array(buf, off.chunkPots, nChunks * tPad);
    const rows = BLOCK_ROWS + TILE_ROWS;
    this.ptr = Object.fromEntries(Object.entries(layout.scratch).map(([name, offs]) => [name, offs[thread]!])) as Record<ScratchName, number>;
    this.full = new Int32Array(buf, this.ptr.full, rows);
    this.fBound = new Float64Array(rows);
    this.out = new Float32Array(buf, this.ptr.out, rows * Math.max(kPad, tPad));
    this.tRows = new Int32Array(buf, this.ptr.tRows, rows);
    this.tCentres = new Int32Array(buf, this.ptr.tCentres, rows);
    this.tOut = new Float32Array(buf, this.ptr.tOut, rows);
    this.tBound = new Float64Array(rows);
    this.eRows = new Int32Array(buf, this.ptr.eRows, layout.pairCap);
    this.eCentres = new Int32Array(buf, this.ptr.eCentres, layout.pairCap);
    this.eOut = new Float32Array(buf, this.ptr.eOut, layout.pairCap);
    this.kernels = createKernels(memory, forceReferenceKernel);
  }

  /** First and one-past-last row of a chunk. */
  chunkRange(chunk: number): [number, number] {
    const lo = chunk * this.layout.chunkRows;
    return [lo, Math.min(this.layout.n, lo + this.layout.chunkRows)];
  }
}

/**
 * Copies row-major data (n x dims) into the workspace, zeroing the padding columns, and resets what
 * the kernels read before writing (centres, identity index list): the memory may be reused.
 */
export function loadRows(ws: Workspace, data: Float32Array): void {
  const { n, dims, dp } = ws.layout;
  if (dp === dims) ws.x.set(data.subarray(0, n * dims));
  else {
    for (let i = 0; i < n; i++) {
      ws.x.set(data.subarray(i * dims, (i + 1) * dims), i * dp);
      ws.x.fill(0, i * dp + dims, (i + 1) * dp);
    }
  }
  ws.centres.fill(0);
  ws.cand.fill(0);
  for (let i = 0; i < n; i++) ws.ident[i] = i;
  for (let t = 0; t < TILE_ROWS; t++) ws.ident[n + t] = n - 1;
}
