import { describe, expect, it } from 'vitest';
import { kmeans, prewarmKmeansMemory } from '../../src/ml/kmeans/kmeans.js';
import { acquireMemory, clearMemoryPool, releaseMemory } from '../../src/ml/memory-pool.js';
import { uniformRows } from './support.js';

describe('memory pool', () => {
  it('hands a released memory to the next request of a similar size only', () => {
    clearMemoryPool();
    const a = acquireMemory(4 << 20, 'test');
    releaseMemory(a);
    expect(acquireMemory(64 << 10, 'test')).not.toBe(a);
    expect(acquireMemory(4 << 20, 'test')).toBe(a);
    expect(() => acquireMemory(5 * 2 ** 30, 'a test', '; use less')).toThrow(
      'a test needs 5.00 GiB of working memory, over the 4 GiB WebAssembly limit; use less',
    );
  });

  it('prewarms the memory of a later run without changing its result', () => {
    const data = uniformRows(300, 20, 4);
    clearMemoryPool();
    const cold = kmeans(data, 300, 20, { k: 4, seed: 2 });
    clearMemoryPool();
    prewarmKmeansMemory(300, 20, 4);
    const warm = kmeans(data, 300, 20, { k: 4, seed: 2 });
    expect(warm.inertia).toBe(cold.inertia);
    expect(Array.from(warm.assignments)).toEqual(Array.from(cold.assignments));
  });
});
