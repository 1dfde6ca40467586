import { describe, expect, it } from 'vitest';
import { pairwiseDistances, silhouetteFromDistances, silhouetteScore } from '../../src/ml/silhouette.js';
import { itIfPresent } from '../support/requires.js';
import { python, sklearnMissing, uniformRows } from './support.js';

describe('silhouette', () => {
  it('matches a hand-computed euclidean score', () => {
    // 1-D points 0, 1 | 5, 6: a = 1 everywhere, b = 5.5, 4.5, 4.5, 5.5
    const score = silhouetteScore(Float32Array.from([0, 1, 5, 6]), 4, 1, [0, 0, 1, 1], { metric: 'euclidean' });
    expect(score).toBeCloseTo((4.5 / 5.5 + 3.5 / 4.5) / 2, 6);
  });

  it('matches a hand-computed cosine score', () => {
    // four axis directions: cosine distances 1 to neighbours, 2 to opposites; every s = (1.5 - 1) / 1.5
    const rows = Float32Array.from([1, 0, 0, 1, -1, 0, 0, -1]);
    expect(silhouetteScore(rows, 4, 2, [0, 0, 1, 1], { metric: 'cosine' })).toBeCloseTo(1 / 3, 6);
  });

  it('scores a row alone in its cluster as zero', () => {
    const dist = pairwiseDistances(Float32Array.from([0, 1, 5]), 3, 1, 'euclidean');
    expect(silhouetteFromDistances(dist, 3, [0, 0, 1])).toBeCloseTo((0.8 + 0.75 + 0) / 3, 6);
  });

  it('needs at least two clusters', () => {
    expect(() => silhouetteScore(Float32Array.from([0, 1, 2]), 3, 1, [4, 4, 4])).toThrow('silhouette needs 2..2 clusters among 3 rows (got 1)');
  });

  itIfPresent(sklearnMissing, 'agrees with scikit-learn on random data and labels', () => {
    const data = uniformRows(120, 9, 2);
    const labels = Array.from({ length: 120 }, (_, i) => (i * 7) % 4);
    const theirs = python<{ euclidean: number; cosine: number }>(
      `import json, sys
import numpy as np
from sklearn.metrics import silhouette_score
d = json.load(sys.stdin)
x = np.array(d["x"], dtype=np.float64).reshape(120, 9)
print(json.dumps({m: float(silhouette_score(x, d["labels"], metric=m)) for m in ("euclidean", "cosine")}))`,
      { x: Array.from(data), labels },
    );
    expect(silhouetteScore(data, 120, 9, labels, { metric: 'euclidean' })).toBeCloseTo(theirs.euclidean, 5);
    expect(silhouetteScore(data, 120, 9, labels, { metric: 'cosine' })).toBeCloseTo(theirs.cosine, 5);
  });
});
