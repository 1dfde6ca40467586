import { describe, expect, it } from 'vitest';
import { lbfgs } from '../../../src/ml/heads/lbfgs.js';
import { stratifiedSplit } from '../../../src/ml/heads/split.js';

describe('stratified split', () => {
  const y = Int32Array.from([...new Array(90).fill(0), ...new Array(10).fill(1), 2]);

  it('keeps each class in proportion, never empties a class from training', () => {
    const { train, validation } = stratifiedSplit(y, 3, 0.2, 1);
    const count = (rows: Int32Array, c: number) => Array.from(rows).filter((r) => y[r] === c).length;
    expect([count(validation, 0), count(validation, 1), count(validation, 2)]).toEqual([18, 2, 0]);
    expect(count(train, 2)).toBe(1);
    expect(new Set([...train, ...validation]).size).toBe(y.length);
    expect(Array.from(train)).toEqual([...train].sort((a, b) => a - b));
  });

  it('is deterministic by seed', () => {
    expect(stratifiedSplit(y, 3, 0.2, 5)).toEqual(stratifiedSplit(y, 3, 0.2, 5));
    expect(stratifiedSplit(y, 3, 0.2, 5).validation).not.toEqual(stratifiedSplit(y, 3, 0.2, 6).validation);
    expect(stratifiedSplit(y, 3, 0, 5).validation).toHaveLength(0);
  });
});

describe('l-bfgs', () => {
  it('minimises the Rosenbrock function', () => {
    const r = lbfgs((x, g) => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    }, Float64Array.from([-1.2, 1]), { maxIterations: 200, gtol: 1e-8, ftol: 0 });
    expect(r.reason).toBe('gtol');
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
  });
});
