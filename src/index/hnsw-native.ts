/**
 * One hnswlib HierarchicalNSW index with the bookkeeping hnswlib does not expose: the live key
 * set, tombstone count, growth and compaction. It blocks while it works, so it runs only inside
 * the index worker (hnsw-worker.ts). Reference: hnswlib's hnswalg.h (markDelete,
 * allow_replace_deleted) and txtai's ann/dense/hnsw.py.
 */
import hnswlib from 'hnswlib-node';
import { existsSync, statSync } from 'node:fs';
import { commitFileSync, hashFileSync, tempPathFor } from './files.js';
import type { FileExpectation, IndexStats, NativeParams, PackedHits, SavedFile, SearchGroup } from './protocol.js';

type Hnsw = InstanceType<typeof hnswlib.HierarchicalNSW>;

/** hnswlib's level generator seed: fixed so that builds are reproducible. */
const RANDOM_SEED = 100;

function newHnsw(p: NativeParams, capacity: number): Hnsw {
  const h = new hnswlib.HierarchicalNSW(p.metric, p.dims);
  h.initIndex(capacity, p.m, p.efConstruction, RANDOM_SEED, true);
  h.setEf(p.ef);
  return h;
}

/** An hnswlib index plus its live key set; all methods are synchronous. */
export class NativeIndex {
  private readonly live = new Set<number>();
  private readonly point: number[];
  private rebuilds = 0;
  private ef: number;

  private constructor(
    private readonly p: NativeParams,
    private hnsw: Hnsw,
  ) {
    this.point = new Array<number>(p.dims).fill(0);
    this.ef = p.ef;
  }

  /** A new, empty index of `p.capacity` slots. */
  static create(p: NativeParams): NativeIndex {
    return new NativeIndex(p, newHnsw(p, Math.max(1, p.capacity)));
  }

  /**
   * Loads a saved index after checking the file against what its meta recorded (size, sha256,
   * element count); returns the reason instead when it does not match or hnswlib rejects it.
   * The checksum is checked before hnswlib reads the file: a corrupt file can crash hnswlib.
   */
  static load(p: NativeParams, path: string, expect: FileExpectation): NativeIndex | string {
    if (!existsSync(path)) return `index file ${path} is missing`;
    const bytes = statSync(path).size;
    if (bytes !== expect.bytes) return `index file has ${bytes} bytes, its meta records ${expect.bytes}`;
    if (hashFileSync(path).sha256 !== expect.sha256) return 'index file checksum does not match its meta';
    const h = new hnswlib.HierarchicalNSW(p.metric, p.dims);
    try {
      h.readIndexSync(path, true);
    } catch (e) {
      return `hnswlib could not read the index file: ${(e as Error).message}`;
    }
    if (h.getCurrentCount() !== expect.count) {
      return `index file holds ${h.getCurrentCount()} elements, its meta records ${expect.count}`;
    }
    h.setEf(p.ef);
    const index = new NativeIndex(p, h);
    const deleted = new Set(expect.deletedKeys);
    for (const key of h.getIdsList()) if (!deleted.has(key)) index.live.add(key);
    if (index.live.size + deleted.size !== expect.count) return 'index file labels do not match its meta';
    return index;
  }

  /** Live count, tombstones, capacity. */
  stats(): IndexStats {
    return { size: this.live.size, deleted: this.deleted(), capacity: this.hnsw.getMaxElements(), rebuilds: this.rebuilds };
  }

  /** Adds or replaces `keys[i]` with row i of `data`; a new key reuses a tombstoned slot if any. */
  upsert(keys: Int32Array, data: Float32Array): void {
    const { dims } = this.p;
    // check the whole chunk first: a NaN would silently corrupt the graph, and a half-applied chunk helps no one
    for (let j = 0; j < data.length; j++) {
      if (!Number.isFinite(data[j]!)) throw new Error(`vector of key ${keys[Math.floor(j / dims)]} has a non-finite component ${j % dims}`);
    }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.fill(data, i * dims);
      if (this.live.has(key)) {
        this.hnsw.addPoint(this.point, key, false);
        continue;
      }
      if (this.deleted() > 0) {
        // a key that still owns a tombstoned slot must get that slot back, never a second one
        if (this.revive(key)) this.hnsw.addPoint(this.point, key, false);
        else this.hnsw.addPoint(this.point, key, true);
      } else {
        const capacity = this.hnsw.getMaxElements();
        if (this.hnsw.getCurrentCount() >= capacity) this.hnsw.resizeIndex(capacity * 2);
        this.hnsw.addPoint(this.point, key, false);
      }
      this.live.add(key);
    }
  }

  /** Tombstones the live keys among `keys`; compacts when tombstones pass the rebuild ratio. */
  remove(keys: Int32Array): void {
    for (const key of keys) {
      if (!this.live.has(key)) continue;
      this.hnsw.markDelete(key);
      this.live.delete(key);
    }
    const deleted = this.deleted();
    if (deleted > 0 && deleted > this.p.rebuildRatio * this.hnsw.getCurrentCount()) this.compact();
  }

  /** Runs each group's queries; `allow` keys are filtered inside hnswlib's graph search. */
  search(data: Float32Array, groups: SearchGroup[]): PackedHits {
    let total = 0;
    let room = 0;
    for (const g of groups) {
      total += g.n;
      room += g.n * Math.min(g.k, this.live.size);
    }
    const counts = new Int32Array(total);
    const keys = new Int32Array(room);
    const distances = new Float32Array(room);
    let q = 0;
    let out = 0;
    for (const g of groups) {
      const { k, filter } = this.limit(g);
      if (k > 0 && g.ef !== this.ef) {
        this.hnsw.setEf(g.ef);
        this.ef = g.ef;
      }
      for (let i = 0; i < g.n; i++, q++) {
        if (k === 0) continue;
        this.fill(data, q * this.p.dims);
        const r = this.hnsw.searchKnn(this.point, k, filter);
        const n = r.neighbors.length;
        for (let j = 0; j < n; j++) {
          keys[out + j] = r.neighbors[j]!;
          distances[out + j] = r.distances[j]!;
        }
        counts[q] = n;
        out += n;
      }
    }
    return { counts, keys, distances };
  }

  /** Writes the index to a temp file, fsyncs, hashes and renames it over `path`. */
  save(path: string): SavedFile {
    const tmp = tempPathFor(path);
    this.hnsw.writeIndexSync(tmp);
    const { bytes, sha256 } = hashFileSync(tmp);
    commitFileSync(tmp, path);
    const deletedKeys = this.deleted() > 0 ? this.hnsw.getIdsList().filter((k) => !this.live.has(k)) : [];
    return { bytes, sha256, count: this.hnsw.getCurrentCount(), deletedKeys, size: this.live.size };
  }

  private deleted(): number {
    return this.hnsw.getCurrentCount() - this.live.size;
  }

  /** Clears the tombstone of `key` if it still owns a slot (hnswlib throws "Label not found" if not). */
  private revive(key: number): boolean {
    try {
      this.hnsw.unmarkDelete(key);
      return true;
    } catch (e) {
      if (/Label not found/.test((e as Error).message)) return false;
      throw e;
    }
  }

  /** The effective k of a group (capped at the live, allowed count) and its filter. */
  private limit(g: SearchGroup): { k: number; filter?: (label: number) => boolean } {
    if (!g.allow) return { k: Math.min(g.k, this.live.size) };
    const allowed = new Set<number>();
    for (const key of g.allow) if (this.live.has(key)) allowed.add(key);
    return { k: Math.min(g.k, allowed.size), filter: (label) => allowed.has(label) };
  }

  /** Rebuilds the graph from the live vectors into a fresh index: tombstones gone, capacity fit. */
  private compact(): void {
    const capacity = Math.max(this.p.capacity, Math.ceil(this.live.size * 1.5), 1);
    const next = newHnsw(this.p, capacity);
    for (const key of this.live) next.addPoint(this.hnsw.getPoint(key), key, false);
    next.setEf(this.ef);
    this.hnsw = next;
    this.rebuilds++;
  }

  /** Copies one packed row into the reusable plain array hnswlib-node takes. */
  private fill(data: Float32Array, offset: number): void {
    const point = this.point;
    for (let j = 0; j < point.length; j++) point[j] = data[offset + j]!;
  }
}
