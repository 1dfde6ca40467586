import { describe, expect, it } from 'vitest';
import { jsOps } from '../../../src/ml/heads/ops.js';
import { createRng } from '../../../src/ml/prng.js';
import { narrowPass } from '../../../src/ml/heads/wasm-narrow.js';

const random = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
};

describe('fused narrow pass (WebAssembly SIMD)', () => {
  it('computes X·Wᵀ per block and Gᵀ = Rᵀ·X like the plain products', () => {
    const [rows, cols, k] = [150, 24, 3];
    const x = random(rows * cols, 1);
    const wT = random(k * cols, 2);
    const pass = narrowPass(x, rows, cols)!;
    expect(pass).not.toBeNull();
    const zAll = new Float32Array(rows * k);
    const rAll = new Float32Array(rows * k);
    const { loss, gT } = pass.run(wT, k, (z, start, m, r) => {
      zAll.set(z, start * k);
      // residual: any function of the block's logits, here 2z + 1
      for (let i = 0; i < m * k; i++) r[i] = 2 * z[i]! + 1;
      rAll.set(r, start * k);
      return m;
    });
    expect(loss).toBe(rows);
    const w = new Float32Array(cols * k);
    for (let q = 0; q < k; q++) for (let j = 0; j < cols; j++) w[j * k + q] = wT[q * cols + j]!;
    const z = jsOps.matmul(x, rows, cols, w, k);
    zAll.forEach((v, i) => expect(v).toBeCloseTo(z[i]!, 4));
    const g = jsOps.fixed(x, rows, cols).transposeTimes(rAll, k);
    for (let q = 0; q < k; q++) for (let j = 0; j < cols; j++) expect(gT[q * cols + j]!).toBeCloseTo(g[j * k + q]!, 3);
  });

  it('refuses column counts that are not a multiple of 8, and a superseded pass', () => {
    expect(narrowPass(random(10 * 6, 3), 10, 6)).toBeNull();
    const first = narrowPass(random(10 * 8, 4), 10, 8)!;
    narrowPass(random(10 * 8, 5), 10, 8);
    expect(() => first.run(random(8, 6), 1, () => 0)).toThrow(/superseded/);
  });
});
