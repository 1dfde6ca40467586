/**
 * Deterministic clustered unit vectors for index tests: random 512-d vectors have no
 * neighbourhood structure (every point is about equally far from every other), so recall on
 * them measures nothing. Points are Gaussian clusters around centres on the unit sphere.
 */

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sampler (Box-Muller) over `rand`. */
export function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = 1 / Math.sqrt(s);
  for (let j = 0; j < v.length; j++) v[j]! *= inv;
  return v;
}

/** Options of clusteredVectors; `noise` is the expected norm of a point's offset from its unit centre. */
export interface ClusterSpec {
  n: number;
  dims: number;
  clusters: number;
  noise: number;
  seed: number;
}

/** `n` L2-normalized vectors around `clusters` random unit centres (point i belongs to centre i % clusters). */
export function clusteredVectors({ n, dims, clusters, noise, seed }: ClusterSpec): Float32Array[] {
  const normal = gaussian(rng(seed));
  const centres = Array.from({ length: clusters }, () => normalize(Float32Array.from({ length: dims }, normal)));
  const sigma = noise / Math.sqrt(dims);
  return Array.from({ length: n }, (_, i) => {
    const c = centres[i % clusters]!;
    return normalize(Float32Array.from(c, (x) => x + sigma * normal()));
  });
}
