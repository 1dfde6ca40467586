/**
 * One collection's index inside the worker: a serving Graph (graph.ts), its persistence, batch
 * search with in-graph filtering, and compaction. Compaction copies the live vectors into a fresh
 * graph in time slices (`step`), between which the worker keeps answering requests; mutations
 * meanwhile go to both graphs, and the fresh graph takes over when the copy is done.
 * Reference: txtai's ann/dense/hnsw.py (a small, honest wrapper).
 */
import { existsSync, statSync } from 'node:fs';
import { commitFileSync, hashFileSync, tempPathFor } from './files.js';
import { Graph } from './graph.js';
import { exactOverKeys } from './exact-keys.js';
import { keyFilter } from './key-filter.js';
import { newHnsw } from './native-hnsw.js';
import type { FileExpectation, IndexStats, NativeParams, PackedHits, SavedFile, SearchGroup } from './protocol.js';

/**
 * Allowed sets up to this size are searched exactly over their stored vectors: hnswlib's
 * filtered search walks most of the graph when few keys qualify (about 60 ms at 200 of 50k
 * here), while reading 256 points back (getPoint, about 20 us each) costs about 5 ms.
 */
const EXACT_SUBSET = 256;

/** Length of one compaction slice; requests that arrive meanwhile wait at most about this long. */
export const COMPACTION_SLICE_MS = 20;

/** A compaction in progress: the fresh graph and the snapshot of keys still to copy. */
interface Compaction {
  next: Graph;
  keys: number[];
  at: number;
}

/** An index of the worker; all methods are synchronous. */
export class NativeIndex {
  private compaction: Compaction | null = null;
  private rebuilds = 0;
  private ef: number;

  private constructor(
    private readonly p: NativeParams,
    private graph: Graph,
  ) {
    this.ef = p.ef;
  }

  /** A new, empty index of `p.capacity` slots. */
  static create(p: NativeParams): NativeIndex {
    return new NativeIndex(p, Graph.create(p, p.capacity, p.ef));
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
    const h = newHnsw(p.metric, p.dims);
    try {
      h.readIndexSync(path, true);
    } catch (e) {
      return `hnswlib could not read the index file: ${(e as Error).message}`;
    }
    if (h.getCurrentCount() !== expect.count) return `index file holds ${h.getCurrentCount()} elements, its meta records ${expect.count}`;
    h.setEf(p.ef);
    const graph = new Graph(h);
    const deleted = new Set(expect.deletedKeys);
    for (const key of h.getIdsList()) if (!deleted.has(key)) graph.live.add(key);
    if (graph.live.size + deleted.size !== expect.count) return 'index file labels do not match its meta';
    return new NativeIndex(p, graph);
  }

  /** Counts of the serving graph. */
  stats(): IndexStats {
    const g = this.graph;
    return { size: g.live.size, deleted: g.deleted(), capacity: g.hnsw.getMaxElements(), rebuilds: this.rebuilds };
  }

  /** Whether a compaction still has vectors to copy (the worker then calls `step`). */
  get compacting(): boolean {
    return this.compaction !== null;
  }

  /** Adds or replaces `keys[i]` with row i of `data`; refuses the whole chunk if any component is not finite. */
  upsert(keys: Int32Array, data: Float32Array): void {
    const { dims } = this.p;
    // check the whole chunk first: a NaN would silently corrupt the graph, and a half-applied chunk helps no one
    for (let j = 0; j < data.length; j++) {
      if (!Number.isFinite(data[j]!)) throw new Error(`vector of key ${keys[Math.floor(j / dims)]} has a non-finite component ${j % dims}`);
    }
    for (let i = 0; i < keys.length; i++) {
      this.graph.put(data, i * dims, keys[i]!);
      this.compaction?.next.put(data, i * dims, keys[i]!);
    }
  }

  /** Tombstones the live keys among `keys`; starts a compaction when tombstones pass the rebuild ratio. */
  remove(keys: Int32Array): void {
    for (const key of keys) {
      this.graph.remove(key);
      this.compaction?.next.remove(key);
    }
    const deleted = this.graph.deleted();
    if (!this.compaction && deleted > 0 && deleted > this.p.rebuildRatio * this.graph.hnsw.getCurrentCount()) {
      const capacity = Math.max(this.p.capacity, Math.ceil(this.graph.live.size * 1.5));
      this.compaction = { next: Graph.create(this.p, capacity, this.ef), keys: [...this.graph.live], at: 0 };
      this.step(COMPACTION_SLICE_MS);
    }
  }

  /**
   * Copies live vectors into the compaction's fresh graph for about `budgetMs`, and swaps the
   * graphs when the copy is complete. Returns true when the serving graph changed.
   */
  step(budgetMs: number): boolean {
    const c = this.compaction;
    if (!c) return false;
    const until = performance.now() + budgetMs;
    while (c.at < c.keys.length) {
      const key = c.keys[c.at++]!;
      // keys removed since the snapshot are skipped; keys upserted since are in `next` already
      if (this.graph.live.has(key) && !c.next.live.has(key)) c.next.put(this.graph.hnsw.getPoint(key), 0, key);
      if ((c.at & 15) === 0 && performance.now() >= until) return false;
    }
    c.next.hnsw.setEf(this.ef);
    this.graph = c.next;
    this.compaction = null;
    this.rebuilds++;
    return true;
  }

  /** Runs each group's queries; see `limit` for how `allow` is applied. */
  search(data: Float32Array, groups: SearchGroup[]): PackedHits {
    const live = this.graph.live.size;
    let total = 0;
    let room = 0;
    for (const g of groups) {
      total += g.n;
      room += g.n * Math.min(g.k, live);
    }
    const counts = new Int32Array(total);
    const keys = new Int32Array(room);
    const distances = new Float32Array(room);
    let q = 0;
    let out = 0;
    for (const g of groups) {
      const { k, filter, subset } = this.limit(g);
      if (k > 0 && g.ef !== this.ef) {
        this.graph.hnsw.setEf(g.ef);
        this.ef = g.ef;
      }
      if (subset) {
        const { dims, metric } = this.p;
        const rows = exactOverKeys(this.graph.hnsw, metric, dims, subset, data.subarray(q * dims, (q + g.n) * dims), k);
        for (const hits of rows) {
          hits.forEach((h, j) => {
            keys[out + j] = h.key;
            distances[out + j] = h.distance;
          });
          counts[q++] = hits.length;
          out += hits.length;
        }
        continue;
      }
      for (let i = 0; i < g.n; i++, q++) {
        if (k === 0) continue;
        const n = this.graph.hnsw.searchKnn(data, q * this.p.dims, k, filter, keys, distances, out);
        counts[q] = n;
        out += n;
      }
    }
    return { counts, keys, distances };
  }

  /** Writes the serving graph to a temp file, fsyncs, hashes and renames it over `path`. */
  save(path: string): SavedFile {
    const g = this.graph;
    const tmp = tempPathFor(path);
    g.hnsw.writeIndexSync(tmp);
    const { bytes, sha256 } = hashFileSync(tmp);
    commitFileSync(tmp, path);
    const deletedKeys = g.deleted() > 0 ? g.hnsw.getIdsList().filter((k) => !g.live.has(k)) : [];
    return { bytes, sha256, count: g.hnsw.getCurrentCount(), deletedKeys, size: g.live.size };
  }

  /**
   * The effective k of a group (capped at the live, allowed count) and how to search it: no
   * filter when every live key is allowed, an in-graph filter, or, for at most EXACT_SUBSET
   * allowed keys, an exact scan of just those (a filtered graph search would visit nearly every node).
   */
  private limit(g: SearchGroup): { k: number; filter?: (label: number) => boolean; subset?: number[] } {
    const live = this.graph.live;
    if (!g.allow) return { k: Math.min(g.k, live.size) };
    const allowed = keyFilter(g.allow, live, EXACT_SUBSET);
    const k = Math.min(g.k, allowed.count);
    if (allowed.count === live.size) return { k };
    if (allowed.keys) return { k, subset: allowed.keys };
    return { k, filter: allowed.has };
  }
}
