import type { IndexHit } from '../index/types.js';
import type { Metric } from '../store/types.js';

/** A unit-length copy of `v` (a zero vector stays zero). */
export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  if (s === 0) return out;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

/** Distance with the index's meaning: 1 - dot for cosine and ip (unit vectors), squared L2 for l2. */
export function distance(metric: Metric, a: Float32Array, b: Float32Array): number {
  let s = 0;
  if (metric === 'l2') {
    for (let i = 0; i < a.length; i++) {
      const d = a[i]! - b[i]!;
      s += d * d;
    }
    return s;
  }
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return 1 - s;
}

/** Exact top-k over candidate vectors (null entries skipped), closest first. */
export function exactTopK(metric: Metric, query: Float32Array, keys: ArrayLike<number>, vectors: (Float32Array | null)[], k: number): IndexHit[] {
  const hits: IndexHit[] = [];
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i];
    if (v) hits.push({ key: keys[i]!, distance: distance(metric, query, v) });
  }
  hits.sort((a, b) => a.distance - b.distance || a.key - b.key);
  return hits.slice(0, k);
}
