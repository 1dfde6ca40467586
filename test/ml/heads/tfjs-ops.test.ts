import { beforeAll, describe, expect, it } from 'vitest';
import { jsOps, transpose } from '../../../src/ml/heads/ops.js';
import { createRng } from '../../../src/ml/prng.js';
import { tfjsOps } from '../../../src/ml/heads/tfjs-ops.js';
import { selectBackend } from '../../../src/modules/runtimes/tfjs/backends.js';

const random = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
};
const close = (a: Float32Array, b: Float32Array) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 4));

describe('tfjs matrix ops (wasm backend, as in the training thread)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('agree with the plain-JavaScript products, wide and narrow', () => {
    const ops = tfjsOps();
    expect(ops.name).toBe('tfjs-wasm');
    for (const k of [1, 3, 40]) {
      const [m, n] = [37, 29];
      const a = random(m * n, k);
      const b = random(n * k, k + 1);
      close(ops.matmul(a, m, n, b, k), jsOps.matmul(a, m, n, b, k));
      const fixed = ops.fixed(a, m, n);
      const r = random(m * k, k + 2);
      close(fixed.times(b, k), jsOps.matmul(a, m, n, b, k));
      close(fixed.transposeTimes(r, k), jsOps.matmul(transpose(a, m, n), n, m, r, k));
      fixed.dispose();
      fixed.dispose();
    }
  });
});
