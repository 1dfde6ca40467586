/**
 * How well a set of positions keeps labelled groups together: the mean, over the rows, of the
 * share of each row's k nearest other rows (Euclidean) that carry its label. Computed in the
 * original vectors and in a 2D projection, it tells how much of the structure the map shows
 * (1 = every neighbour agrees; chance is about the sum of the squared label shares).
 */
import { nearestNeighbours } from './neighbours.js';

/** Mean k-nearest-neighbour label agreement of n rows of `dims` values with labels `labels`. */
export function neighbourAgreement(rows: Float32Array, n: number, dims: number, labels: ArrayLike<string | number>, k = 10): number {
  if (n < 2) throw new RangeError(`neighbourAgreement needs at least 2 rows, got ${n}`);
  // k + 1: the row itself is (almost always) its own nearest and is left out below
  const nb = nearestNeighbours(rows, n, rows, n, dims, Math.min(k + 1, n));
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let same = 0;
    let counted = 0;
    for (let p = i * nb.k; p < (i + 1) * nb.k && counted < nb.k - 1; p++) {
      const j = nb.index[p]!;
      if (j === i) continue;
      counted++;
      if (labels[j] === labels[i]) same++;
    }
    sum += same / counted;
  }
  return sum / n;
}
