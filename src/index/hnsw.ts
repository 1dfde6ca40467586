/**
 * The HNSW VectorIndex: hnswlib-node running in a worker thread (worker-host.ts), so building,
 * growing, compacting and searching never block the main thread's event loop. Saved as
 * `<dir>/<name>.hnsw` + `<dir>/<name>.meta.json`; a missing, corrupt or mismatched pair opens
 * EMPTY with seq 0 and a `reason`, and the caller rebuilds it from the store (see catch-up.ts).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { invariant } from '../errors.js';
import { paramsMismatch, readMeta, writeMeta, META_FORMAT } from './meta.js';
import type { IndexStats, LoadResult, NativeParams, PackedHits, SavedFile } from './protocol.js';
import { SearchBatcher } from './search-batcher.js';
import type { IndexHit, IndexParams, SearchOptions, VectorIndex } from './types.js';
import { checkEf, checkKeys, checkQueries, checkStoredVectors } from './validate.js';
import { IndexHost } from './worker-host.js';

export { catchUp } from './catch-up.js';

/**
 * Upserts go to the worker in chunks sized to take about this long, so a search queued behind
 * a bulk build (on any index of the same worker) waits one short chunk, not the whole build.
 */
const UPSERT_SLICE_MS = 20;

/** Options of openHnswIndex. */
export interface OpenHnswOptions {
  /** Directory of the index files (created on save). */
  dir: string;
  /** File stem: letters, digits, `.`, `_`, `-`; e.g. the collection key. */
  name: string;
  params: IndexParams;
  /** Worker hosting the index (default: the process-wide IndexHost.shared()). */
  host?: IndexHost;
  /** Initial capacity in vectors (default 1024); the index doubles (resizeIndex) when full. */
  initialCapacity?: number;
  /**
   * Compaction threshold (default 0.2): when tombstones exceed this fraction of the used slots
   * (live + tombstones) after a remove, the live vectors are copied into a fresh graph, in 20 ms
   * slices between requests; the old graph serves until the copy is done (both take mutations
   * meanwhile; memory is doubled for the duration). New keys reuse tombstoned slots first, so
   * tombstones only pile up when deletes outrun inserts.
   */
  rebuildRatio?: number;
}

/**
 * Opens (or creates empty) the HNSW index `<dir>/<name>`. The saved files are used only when the
 * meta matches `params` (dims, metric, m, efConstruction, moduleSha256; ef may differ) and the
 * index file matches the meta (size, sha256, element count); otherwise `loadedFrom` is 'empty',
 * `seq` is 0 and `reason` says why.
 */
export async function openHnswIndex(opts: OpenHnswOptions): Promise<HnswIndex> {
  const { dir, name, params } = opts;
  invariant(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name), `index name "${name}" must be letters, digits, ".", "_" or "-"`);
  invariant(Number.isInteger(params.dims) && params.dims > 0, `dims must be a positive integer (got ${params.dims})`);
  invariant(['cosine', 'ip', 'l2'].includes(params.metric), `metric must be cosine, ip or l2 (got ${params.metric})`);
  invariant(Number.isInteger(params.m) && params.m >= 2, `m must be an integer >= 2 (got ${params.m})`);
  invariant(Number.isInteger(params.efConstruction) && params.efConstruction >= 1, `efConstruction must be a positive integer (got ${params.efConstruction})`);
  checkEf(params.ef);
  const host = opts.host ?? IndexHost.shared();
  const handle = host.newHandle();
  const paths = { index: join(dir, `${name}.hnsw`), meta: join(dir, `${name}.meta.json`) };
  const native: NativeParams = {
    dims: params.dims,
    metric: params.metric,
    m: params.m,
    efConstruction: params.efConstruction,
    ef: params.ef,
    capacity: opts.initialCapacity ?? 1024,
    rebuildRatio: opts.rebuildRatio ?? 0.2,
  };
  const meta = await readMeta(paths.meta);
  const unusable = typeof meta === 'string' ? meta : paramsMismatch(meta, params);
  if (typeof meta === 'string' || unusable !== null) {
    const stats = await host.call<IndexStats>({ op: 'create', index: handle, params: native });
    return new HnswIndex(host, handle, params, paths, stats, 0, unusable);
  }
  const loaded = await host.call<LoadResult>({ op: 'load', index: handle, params: native, path: paths.index, expect: meta });
  if (!loaded.loaded) return new HnswIndex(host, handle, params, paths, loaded.stats, 0, loaded.reason);
  return new HnswIndex(host, handle, params, paths, loaded.stats, meta.seq, null);
}

/** An open HNSW index; every hnswlib call happens in the host's worker. */
export class HnswIndex implements VectorIndex {
  /** Whether the saved files were used, or the index started empty (then see `reason`). */
  readonly loadedFrom: 'file' | 'empty';
  private stats: IndexStats;
  private seqValue: number;
  private closed = false;
  /** Mutations, saves and close run one after another, in call order. */
  private writes: Promise<unknown> = Promise.resolve();
  private readonly batcher: SearchBatcher;

  constructor(
    private readonly host: IndexHost,
    private readonly handle: number,
    readonly params: IndexParams,
    private readonly paths: { index: string; meta: string },
    stats: IndexStats,
    seq: number,
    /** Why the index started empty (null when loaded from file). */
    readonly reason: string | null,
  ) {
    this.stats = stats;
    this.seqValue = seq;
    this.loadedFrom = reason === null ? 'file' : 'empty';
    host.onStats(handle, (next) => {
      this.stats = next;
    });
    this.batcher = new SearchBatcher(params.dims, (data, groups) =>
      host.call<PackedHits>({ op: 'search', index: handle, data, groups }, [data.buffer as ArrayBuffer]),
    );
  }

  get size(): number {
    return this.stats.size;
  }
  get deletedCount(): number {
    return this.stats.deleted;
  }
  get seq(): number {
    return this.seqValue;
  }
  /** Slots allocated in hnswlib (grows by doubling). */
  get capacity(): number {
    return this.stats.capacity;
  }
  /** Compactions so far. */
  get rebuilds(): number {
    return this.stats.rebuilds;
  }

  async upsert(items: { key: number; vector: Float32Array }[], seq?: number): Promise<void> {
    this.checkOpen();
    checkKeys(items.map((it) => it.key));
    checkStoredVectors(items.map((it) => it.vector), this.params.dims);
    return this.serial(async () => {
      const { dims } = this.params;
      let size = 32;
      for (let from = 0; from < items.length; ) {
        const chunk = items.slice(from, from + size);
        from += chunk.length;
        const keys = Int32Array.from(chunk, (it) => it.key);
        const data = new Float32Array(chunk.length * dims);
        chunk.forEach((it, i) => data.set(it.vector, i * dims));
        const started = performance.now();
        this.stats = await this.host.call<IndexStats>({ op: 'upsert', index: this.handle, keys, data }, [keys.buffer, data.buffer]);
        // size the next chunk from this one's pace (cost per vector depends on dims, m, efConstruction and size)
        const perVector = (performance.now() - started) / chunk.length;
        size = Math.max(8, Math.min(4096, Math.round(UPSERT_SLICE_MS / Math.max(perVector, 1e-3))));
      }
      this.advance(seq);
    });
  }

  async remove(keys: number[], seq?: number): Promise<void> {
    this.checkOpen();
    checkKeys(keys);
    return this.serial(async () => {
      if (keys.length) {
        const packed = Int32Array.from(keys);
        this.stats = await this.host.call<IndexStats>({ op: 'remove', index: this.handle, keys: packed }, [packed.buffer]);
      }
      this.advance(seq);
    });
  }

  async search(queries: Float32Array[], k: number, opts: SearchOptions = {}): Promise<IndexHit[][]> {
    this.checkOpen();
    checkQueries(queries, k, this.params.dims);
    const ef = opts.ef ?? this.params.ef;
    checkEf(ef);
    if (queries.length === 0) return [];
    return this.batcher.search(queries, { k, ef, allow: opts.allow ?? null });
  }

  async save(): Promise<void> {
    this.checkOpen();
    return this.serial(async () => {
      await mkdir(dirname(this.paths.index), { recursive: true });
      const seq = this.seqValue;
      const saved = await this.host.call<SavedFile>({ op: 'save', index: this.handle, path: this.paths.index });
      const p = this.params;
      await writeMeta(this.paths.meta, {
        format: META_FORMAT, dims: p.dims, metric: p.metric, m: p.m, efConstruction: p.efConstruction,
        moduleSha256: p.moduleSha256, seq, ...saved, savedAt: new Date().toISOString(),
      });
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    // queued searches go out before the drop, so their callers still get answers
    this.batcher.drain();
    return this.serial(async () => {
      this.host.onStats(this.handle, null);
      if (this.host.alive) await this.host.call({ op: 'drop', index: this.handle });
    });
  }

  private advance(seq: number | undefined): void {
    if (seq === undefined) return;
    invariant(Number.isSafeInteger(seq) && seq >= 0, `seq must be a non-negative integer (got ${seq})`);
    if (seq > this.seqValue) this.seqValue = seq;
  }

  private checkOpen(): void {
    invariant(!this.closed, `hnsw index ${this.paths.index} is closed`);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.catch(() => undefined).then(fn);
    this.writes = run.catch(() => undefined);
    return run;
  }
}
