/**
 * semhub's binding of hnswlib (native/hnsw/semhub_hnsw.cc, compiled at install by
 * bin/build-native.js): vectors cross as Float32Array views and search hits are written into the
 * caller's typed arrays, and distances use the widest SIMD the CPU has, picked at run time. The
 * graph and its file format are hnswlib's own. Loaded by the index worker only.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import type { IndexMetric } from './types.js';

/** One hnswlib HierarchicalNSW<float>; methods throw `Hnswlib Error: …` where hnswlib throws. */
export interface Hnsw {
  initIndex(maxElements: number, m: number, efConstruction: number, randomSeed: number, allowReplaceDeleted: boolean): void;
  readIndexSync(path: string, allowReplaceDeleted: boolean): void;
  writeIndexSync(path: string): void;
  resizeIndex(maxElements: number): void;
  /** Adds (or, for a live label, replaces) the vector `data[offset .. offset + dims)`. */
  addPoint(data: Float32Array, offset: number, label: number, replaceDeleted: boolean): void;
  markDelete(label: number): void;
  unmarkDelete(label: number): void;
  /**
   * The k nearest to `query[offset .. offset + dims)` that `filter` allows (all without one),
   * nearest first, written to `keys` and `distances` from index `at`; returns how many.
   */
  searchKnn(query: Float32Array, offset: number, k: number, filter: ((label: number) => boolean) | undefined, keys: Int32Array, distances: Float32Array, at: number): number;
  /** The stored vector of `label` (unit length for cosine). */
  getPoint(label: number): Float32Array;
  getIdsList(): number[];
  getMaxElements(): number;
  getCurrentCount(): number;
  setEf(ef: number): void;
  getEf(): number;
}

interface Addon {
  Index: new (metric: IndexMetric, dims: number) => Hnsw;
  /** The distance code in use: avx512, avx2 or baseline (hnswlib's own). */
  simd: string;
}

/** Where the build puts the addon. */
export const ADDON_PATH = path.join(PROJECT_ROOT, 'native', 'hnsw', 'build', 'Release', 'semhub_hnsw.node');

function load(): Addon {
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`semhub's HNSW addon is not built (${ADDON_PATH} is missing): run \`npm run build:native\` (npm ci runs it; it needs python3, make and g++)`);
  }
  return createRequire(import.meta.url)(ADDON_PATH) as Addon;
}

const addon = load();

/** A new, uninitialized graph of `metric` over `dims`-dimensional vectors. */
export function newHnsw(metric: IndexMetric, dims: number): Hnsw {
  return new addon.Index(metric, dims);
}

/** The SIMD level of the distance code (avx512, avx2 or baseline). */
export const HNSW_SIMD: string = addon.simd;
