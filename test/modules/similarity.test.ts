import { describe, expect, it } from 'vitest';
import { cosineMatrix, dot, normalizeRows } from '../../src/modules/similarity.js';

const unit = (...xs: number[]) => normalizeRows(Float32Array.from(xs), xs.length);

describe('cosine similarity of normalized vectors', () => {
  it('is the dot product of every pair, a rows by b columns', () => {
    const a = [unit(1, 0, 0), unit(0, 1, 0)];
    const b = [unit(1, 0, 0), unit(1, 1, 0), unit(0, 0, 1)];
    const m = cosineMatrix(a, b);
    expect(m).toHaveLength(2);
    expect(m[0]).toHaveLength(3);
    expect(m[0]![0]).toBeCloseTo(1, 6);
    expect(m[0]![1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(m[1]![2]).toBeCloseTo(0, 6);
  });

  it('agrees with a plain dot product across block boundaries', () => {
    const rnd = (n: number) => Array.from({ length: n }, (_, i) => unit(...Array.from({ length: 37 }, (_, k) => Math.sin(i * 31 + k * 7))));
    const a = rnd(70);
    const b = rnd(130);
    const m = cosineMatrix(a, b);
    for (const [i, j] of [[0, 0], [63, 64], [69, 129], [5, 100]] as const) expect(m[i]![j]).toBeCloseTo(dot(a[i]!, b[j]!), 6);
  });

  it('refuses vectors of different sizes, naming the one that differs', () => {
    expect(() => cosineMatrix([unit(1, 0)], [unit(1, 0, 0)])).toThrow('vector b[0] has 3 dims (expected 2)');
  });

  it('normalizes rows to unit length and leaves zero rows alone', () => {
    const flat = normalizeRows(Float32Array.from([3, 4, 0, 0]), 2);
    expect(Array.from(flat)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
  });
});
