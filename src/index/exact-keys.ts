/**
 * Exact kNN over a few keys of an hnswlib graph, reading their stored vectors back: the worker's
 * answer to a search whose `allow` set is tiny, where hnswlib's filtered search would walk most
 * of the graph.
 */
import { normalize } from '../vectors.js';
import type { Hnsw } from './native-hnsw.js';
import { exactTopK } from './top-k.js';
import type { IndexHit, IndexMetric } from './types.js';

/** The k nearest of `keys` for each query row of `queries` (n x dims), closest first. */
export function exactOverKeys(hnsw: Hnsw, metric: IndexMetric, dims: number, keys: number[], queries: Float32Array, k: number): IndexHit[][] {
  const rows = keys.map((key) => hnsw.getPoint(key));
  const out: IndexHit[][] = [];
  for (let off = 0; off < queries.length; off += dims) {
    const raw = queries.subarray(off, off + dims);
    // hnswlib stores cosine vectors normalized, so the query must be too
    out.push(exactTopK(metric, metric === 'cosine' ? normalize(raw) : raw, keys, rows, k));
  }
  return out;
}
