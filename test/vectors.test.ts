import { describe, expect, it } from 'vitest';
import { dot, normalize, normalizeRows } from '../src/vectors.js';

describe('vector primitives', () => {
  it('normalizes a copy to unit length, leaving the input as it was', () => {
    const v = Float32Array.of(3, 4);
    const u = normalize(v);
    expect(Array.from(u)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(v)).toEqual([3, 4]);
  });

  it('normalizes a zero vector to a new zero vector: no NaN, never the input itself', () => {
    const zero = new Float32Array(3);
    const out = normalize(zero);
    expect(Array.from(out)).toEqual([0, 0, 0]);
    expect(out).not.toBe(zero);
  });

  it('normalizes rows in place and keeps the bits of rows already of unit length', () => {
    const almost = 1 + 5e-6;
    const flat = Float32Array.of(0, 2, almost, 0, 0, 0);
    expect(normalizeRows(flat, 2)).toBe(flat);
    expect(Array.from(flat)).toEqual([0, 1, Math.fround(almost), 0, 0, 0]);
    expect(dot(flat.subarray(0, 2), flat.subarray(0, 2))).toBe(1);
  });
});
