/**
 * semhub's hnswlib binding (native/hnsw, src/index/native-hnsw.ts) against the truth and against
 * hnswlib-node, the binding it replaced:
 * - at every SIMD level this CPU has (each in its own process, capped by SEMHUB_HNSW_SIMD), every
 *   returned distance is the exact distance of that key, recall@10 against brute force is high,
 *   and the levels return the same neighbours; dims 512 and 100 (not a multiple of the SIMD width);
 * - index files move both ways between it and hnswlib-node, with the same search results;
 * - bad arguments are errors with a message, never a crash.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { afterAll, describe, expect, it } from 'vitest';
import { ipDistance, l2Distance } from '../../src/index/distance.js';
import { ADDON_PATH, HNSW_SIMD, newHnsw } from '../../src/index/native-hnsw.js';
import type { IndexMetric } from '../../src/index/types.js';
import { removeDir } from '../support/server.js';
import { clusteredVectors } from './clustered.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'semhub-native-hnsw-'));
afterAll(() => removeDir(tmp));

const K = 10;

/** n clustered vectors of `dims` packed in one Float32Array, the first `queries` of them kept apart as queries. */
function dataset(dims: number, n = 1200, queries = 40): { base: Float32Array; queries: Float32Array } {
  const rows = clusteredVectors({ n: n + queries, dims, clusters: 30, noise: 1, seed: dims });
  const pack = (vs: Float32Array[]) => {
    const out = new Float32Array(vs.length * dims);
    vs.forEach((v, i) => out.set(v, i * dims));
    return out;
  };
  return { base: pack(rows.slice(queries)), queries: pack(rows.slice(0, queries)) };
}

/** The script a child runs: build with the addon at its SIMD level, search, print JSON. */
const CHILD = `
const { readFileSync } = require('node:fs');
const { Index, simd } = require(process.argv[1]);
const [metric, dims, file] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const buf = readFileSync(file);
const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const nq = Number(process.argv[5]);
const queries = all.subarray(0, nq * dims), base = all.subarray(nq * dims);
const h = new Index(metric, dims);
h.initIndex(base.length / dims, 16, 100, 100, true);
for (let i = 0; i < base.length / dims; i++) h.addPoint(base, i * dims, i, false);
h.setEf(100);
const keys = new Int32Array(nq * ${K}), distances = new Float32Array(nq * ${K});
let at = 0;
for (let q = 0; q < nq; q++) at += h.searchKnn(queries, q * dims, ${K}, undefined, keys, distances, at);
process.stdout.write(JSON.stringify({ simd, keys: [...keys], distances: [...distances] }));
`;

/** Builds and searches in a child process whose SIMD is capped at `level`. */
function runAt(level: string, metric: IndexMetric, dims: number, data: { base: Float32Array; queries: Float32Array }) {
  const file = path.join(tmp, `${metric}-${dims}.f32`);
  const all = new Float32Array(data.queries.length + data.base.length);
  all.set(data.queries);
  all.set(data.base, data.queries.length);
  writeFileSync(file, Buffer.from(all.buffer));
  const r = spawnSync(process.execPath, ['-e', CHILD, ADDON_PATH, metric, String(dims), file, String(data.queries.length / dims)], {
    env: { ...process.env, SEMHUB_HNSW_SIMD: level },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { simd: string; keys: number[]; distances: number[] };
}

/** The exact distance of base row `key` to query row `q`, as hnswlib defines it for `metric`. */
function exact(metric: IndexMetric, dims: number, data: { base: Float32Array; queries: Float32Array }, q: number, key: number): number {
  const query = data.queries.subarray(q * dims, (q + 1) * dims);
  if (metric === 'l2') return l2Distance(query, data.base, key * dims, dims);
  if (metric === 'ip') return ipDistance(query, data.base, key * dims, dims);
  const unit = (v: Float32Array) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  return ipDistance(unit(query), unit(data.base.subarray(key * dims, (key + 1) * dims)), 0, dims);
}

/** The true K nearest keys of each query, by exact distance. */
function truth(metric: IndexMetric, dims: number, data: { base: Float32Array; queries: Float32Array }): number[][] {
  const n = data.base.length / dims;
  return Array.from({ length: data.queries.length / dims }, (_, q) =>
    Array.from({ length: n }, (_, key) => ({ key, d: exact(metric, dims, data, q, key) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, K)
      .map((h) => h.key),
  );
}

describe('the native HNSW binding', () => {
  it('loads and names the SIMD level it picked for this CPU', () => {
    expect(['avx512', 'avx2', 'baseline']).toContain(HNSW_SIMD);
  });

  for (const [metric, dims] of [['cosine', 512], ['ip', 100], ['l2', 100]] as [IndexMetric, number][]) {
    it(`returns exact distances and the true neighbours at every SIMD level (${metric}, ${dims} dims)`, () => {
      const data = dataset(dims);
      const want = truth(metric, dims, data);
      // a cap above what the CPU has runs at the CPU's level: one run per level reached
      const runs = ['avx512', 'avx2', 'baseline'].map((level) => runAt(level, metric, dims, data));
      const levels = runs.filter((r, i) => runs.findIndex((o) => o.simd === r.simd) === i);
      const seen = levels.map((r) => r.simd);
      expect(seen).toContain('baseline');
      expect(seen).toContain(HNSW_SIMD);
      for (const r of levels) {
        let found = 0;
        want.forEach((keys, q) => {
          const got = r.keys.slice(q * K, (q + 1) * K);
          found += got.filter((k) => keys.includes(k)).length;
          got.forEach((key, j) => expect(Math.abs(r.distances[q * K + j]! - exact(metric, dims, data, q, key)), `${r.simd} q${q}`).toBeLessThan(1e-4));
        });
        expect(found / (want.length * K), r.simd).toBeGreaterThan(0.95);
      }
      // the levels differ only in rounding: the same neighbours
      for (const r of levels.slice(1)) {
        const same = r.keys.filter((k, i) => levels[0]!.keys.slice(Math.floor(i / K) * K, Math.floor(i / K) * K + K).includes(k)).length;
        expect(same / r.keys.length).toBeGreaterThan(0.98);
      }
    });
  }

  it('reads the index files hnswlib-node writes, and hnswlib-node reads its files, with the same results', () => {
    const dims = 512;
    const data = dataset(dims, 600, 20);
    const n = data.base.length / dims;
    const theirs = new hnswlib.HierarchicalNSW('cosine', dims);
    theirs.initIndex(n, 16, 100, 100, true);
    for (let i = 0; i < n; i++) theirs.addPoint(Array.from(data.base.subarray(i * dims, (i + 1) * dims)), i, false);
    theirs.markDelete(7);
    theirs.writeIndexSync(path.join(tmp, 'theirs.bin'));

    const ours = newHnsw('cosine', dims);
    ours.readIndexSync(path.join(tmp, 'theirs.bin'), true);
    expect(ours.getCurrentCount()).toBe(n);
    ours.writeIndexSync(path.join(tmp, 'ours.bin'));
    const back = new hnswlib.HierarchicalNSW('cosine', dims);
    back.readIndexSync(path.join(tmp, 'ours.bin'), true);

    theirs.setEf(64);
    ours.setEf(64);
    back.setEf(64);
    const keys = new Int32Array(K);
    const distances = new Float32Array(K);
    for (let q = 0; q < data.queries.length / dims; q++) {
      const query = data.queries.subarray(q * dims, (q + 1) * dims);
      const a = theirs.searchKnn(Array.from(query), K);
      const got = ours.searchKnn(data.queries, q * dims, K, undefined, keys, distances, 0);
      expect([...keys.subarray(0, got)]).toEqual(a.neighbors);
      [...distances.subarray(0, got)].forEach((d, j) => expect(Math.abs(d - a.distances[j]!)).toBeLessThan(1e-5));
      expect(back.searchKnn(Array.from(query), K).neighbors).toEqual(a.neighbors);
      expect(a.neighbors).not.toContain(7);
    }
    expect([...ours.getPoint(3)].every((x, j) => Math.abs(x - theirs.getPoint(3)[j]!) < 1e-7)).toBe(true);
  });

  it('answers bad arguments with errors that say what is wrong, never a crash', () => {
    const h = newHnsw('cosine', 4);
    expect(() => h.searchKnn(new Float32Array(4), 0, 1, undefined, new Int32Array(1), new Float32Array(1), 0)).toThrow(/not initialized/);
    h.initIndex(2, 16, 100, 100, true);
    expect(() => h.addPoint([1, 2, 3, 4] as unknown as Float32Array, 0, 1, false)).toThrow(/Float32Array/);
    expect(() => h.addPoint(new Float32Array(6), 4, 1, false)).toThrow(/too short: needs 8 floats, has 6/);
    expect(() => h.addPoint(new Float32Array(4), 0, -1, false)).toThrow(/label must be a non-negative integer/);
    h.addPoint(new Float32Array([1, 0, 0, 0]), 0, 1, false);
    h.addPoint(new Float32Array([0, 1, 0, 0]), 0, 2, false);
    expect(() => h.addPoint(new Float32Array([0, 0, 1, 0]), 0, 3, false)).toThrow(/Hnswlib Error: The number of elements exceeds the specified limit/);
    expect(() => h.unmarkDelete(9)).toThrow(/Hnswlib Error: Label not found/);
    expect(() => h.searchKnn(new Float32Array(4), 0, 2, undefined, new Int32Array(1), new Float32Array(2), 0)).toThrow(/no room for the hits/);
    expect(() => new (Object.getPrototypeOf(h).constructor)('dot', 4)).toThrow(/metric must be cosine, ip or l2/);
    // still serving after all of that
    const keys = new Int32Array(2);
    expect(h.searchKnn(new Float32Array([1, 0.1, 0, 0]), 0, 2, (label) => label !== 2, keys, new Float32Array(2), 0)).toBe(1);
    expect(keys[0]).toBe(1);
  });
});
