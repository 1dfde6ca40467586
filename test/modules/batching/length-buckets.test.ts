import { describe, expect, it } from 'vitest';
import { bucketOf, rowsFor } from '../../../src/modules/batching/length-buckets.js';

describe('length buckets', () => {
  it('give short lengths a bucket each and longer ones buckets about 8% wide', () => {
    expect(bucketOf(3)).not.toBe(bucketOf(4));
    expect(bucketOf(100)).toBe(bucketOf(101));
    expect(bucketOf(100)).toBeLessThan(bucketOf(120));
    expect(bucketOf(5000)).toBe(bucketOf(100_000));
  });

  it('keep keys in length order', () => {
    for (let len = 1; len < 2000; len++) expect(bucketOf(len)).toBeGreaterThanOrEqual(bucketOf(len - 1));
  });

  it('size a batch by its padded tokens, between one row and the row cap', () => {
    expect(rowsFor(12, 384, 64)).toBe(32);
    expect(rowsFor(2, 384, 64)).toBe(64);
    expect(rowsFor(1000, 384, 64)).toBe(1);
  });
});
