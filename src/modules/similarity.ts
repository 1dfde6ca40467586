/**
 * Vector math for L2-normalized embeddings: cosine similarity is a dot product (dot and
 * normalizeRows are the base ones of src/vectors.ts).
 */
import { dot } from '../vectors.js';

export { dot, normalizeRows } from '../vectors.js';

const BLOCK = 64;

/**
 * Cosine similarity matrix `a × b` of L2-normalized vectors (a dot product per pair), as
 * `result[i][j] = a[i]·b[j]`. Loops are blocked over rows of `a` and `b` so a block of `b` stays in
 * cache while a block of `a` runs over it; no allocation per element. Throws when dims differ.
 */
export function cosineMatrix(a: readonly Float32Array[], b: readonly Float32Array[]): number[][] {
  const dims = a[0]?.length ?? b[0]?.length ?? 0;
  for (const [name, list] of [['a', a], ['b', b]] as const) {
    list.forEach((v, i) => {
      if (v.length !== dims) throw new RangeError(`vector ${name}[${i}] has ${v.length} dims (expected ${dims})`);
    });
  }
  const out: number[][] = a.map(() => new Array<number>(b.length).fill(0));
  for (let i0 = 0; i0 < a.length; i0 += BLOCK) {
    const i1 = Math.min(a.length, i0 + BLOCK);
    for (let j0 = 0; j0 < b.length; j0 += BLOCK) {
      const j1 = Math.min(b.length, j0 + BLOCK);
      for (let i = i0; i < i1; i++) {
        const x = a[i]!;
        const row = out[i]!;
        for (let j = j0; j < j1; j++) row[j] = dot(x, b[j]!, dims);
      }
    }
  }
  return out;
}
