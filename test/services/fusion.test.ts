import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion, relativeScoreFusion } from '../../src/services/search.js';

const keys = (hits: { key: number }[]) => hits.map((h) => h.key);

describe('hybrid fusion', () => {
  it('lets a flat vector ranking step aside for a confident keyword ranking (relative score)', () => {
    // Cosines all about equal: the vector ranking is unsure. BM25 clearly prefers 3 then 4.
    const vector = [{ key: 1, score: 0.61 }, { key: 2, score: 0.6 }, { key: 3, score: 0.59 }, { key: 4, score: 0.58 }];
    const keyword = [{ key: 3, score: 30 }, { key: 4, score: 20 }, { key: 1, score: 2 }];
    expect(keys(relativeScoreFusion(vector, keyword, 0.5))).toEqual([3, 4, 1, 2]);
    expect(keys(relativeScoreFusion(vector, keyword, 0)).slice(0, 3)).toEqual([3, 4, 1]);
    // Rank fusion ignores confidence: the vector ranking's top pulls 1 to the top.
    expect(keys(reciprocalRankFusion(vector, keyword, 0.5))[0]).toBe(1);
  });

  it('follows a peaked vector ranking over a flat keyword one', () => {
    const vector = [{ key: 7, score: 0.95 }, { key: 8, score: 0.3 }];
    const keyword = [{ key: 8, score: 10.2 }, { key: 7, score: 10 }];
    expect(keys(relativeScoreFusion(vector, keyword, 0.5))).toEqual([7, 8]);
  });

  it('weighs by alpha: 1 is the vector ranking, 0 the keyword ranking', () => {
    const vector = [{ key: 1, score: 0.9 }, { key: 2, score: 0.5 }];
    const keyword = [{ key: 2, score: 9 }, { key: 1, score: 1 }];
    expect(keys(relativeScoreFusion(vector, keyword, 1))).toEqual([1, 2]);
    expect(keys(relativeScoreFusion(vector, keyword, 0))).toEqual([2, 1]);
    expect(keys(reciprocalRankFusion(vector, keyword, 1))).toEqual([1, 2]);
    expect(keys(reciprocalRankFusion(vector, keyword, 0))).toEqual([2, 1]);
  });

  it('scores a document missing from the keyword ranking 0 there and copes with empty rankings', () => {
    const fused = relativeScoreFusion([{ key: 1, score: 0.8 }, { key: 2, score: 0.8 }], [{ key: 1, score: 4 }, { key: 3, score: 2 }], 0.5);
    expect(fused.find((h) => h.key === 2)!.score).toBeCloseTo(0.5);
    expect(fused.find((h) => h.key === 3)!.score).toBeCloseTo(0.25);
    expect(keys(relativeScoreFusion([{ key: 5, score: 0.4 }], [], 0.5))).toEqual([5]);
    expect(relativeScoreFusion([], [], 0.5)).toEqual([]);
  });
});
