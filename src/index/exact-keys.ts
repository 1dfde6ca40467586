/**
 * Exact kNN over a few keys of an hnswlib graph, reading their stored vectors back: the worker's
 * answer to a search whose `allow` set is tiny, where hnswlib's filtered search would walk most
 * of the graph.
 */
import { ipDistance, l2Distance, normalized } from './distance.js';
import type { Hnsw } from './graph.js';
import { TopK } from './top-k.js';
import type { IndexHit, IndexMetric } from './types.js';

/** The k nearest of `keys` for each query row of `queries` (n x dims), closest first. */
export function exactOverKeys(hnsw: Hnsw, metric: IndexMetric, dims: number, keys: number[], queries: Float32Array, k: number): IndexHit[][] {
  const rows = new Float32Array(keys.length * dims);
  keys.forEach((key, r) => rows.set(hnsw.getPoint(key), r * dims));
  const distance = metric === 'l2' ? l2Distance : ipDistance;
  const out: IndexHit[][] = [];
  for (let off = 0; off < queries.length; off += dims) {
    const raw = queries.subarray(off, off + dims);
    // hnswlib stores cosine vectors normalized, so the query must be too
    const query = metric === 'cosine' ? normalized(raw) : raw;
    const heap = new TopK(k);
    for (let r = 0; r < keys.length; r++) heap.push(distance(query, rows, r * dims, dims), keys[r]!);
    out.push(heap.drain());
  }
  return out;
}
