/**
 * Representative members of each cluster: the m rows nearest their centroid by cosine similarity
 * (for L2-normalised embeddings the same order as Euclidean distance), best first, ties to the
 * lower row index.
 */

/** One representative row and its cosine similarity to the centroid. */
export interface Representative {
  index: number;
  score: number;
}

/**
 * For clusters 0..k-1 (k = centroids.length / dims), the m members with the highest cosine to
 * their centroid. Rows with an assignment outside 0..k-1 are ignored.
 */
export function representatives(
  data: Float32Array,
  n: number,
  dims: number,
  assignments: ArrayLike<number>,
  centroids: Float32Array,
  m = 5,
): Representative[][] {
  if (data.length !== n * dims || assignments.length !== n) {
    throw new RangeError(`representatives: expected ${n}*${dims} values and ${n} assignments (got ${data.length} and ${assignments.length})`);
  }
  if (centroids.length % dims !== 0) throw new RangeError(`representatives: centroids length ${centroids.length} is not a multiple of dims=${dims}`);
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`representatives: m must be a non-negative integer (got ${m})`);
  const k = centroids.length / dims;
  if (m === 0) return Array.from({ length: k }, () => []);
  const cNorm = new Float64Array(k);
  for (let j = 0; j < k; j++) cNorm[j] = Math.sqrt(dot(centroids, j * dims, centroids, j * dims, dims));
  const best: Representative[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) {
    const j = assignments[i]!;
    if (!(j >= 0 && j < k)) continue;
    const xNorm = Math.sqrt(dot(data, i * dims, data, i * dims, dims));
    const denom = xNorm * cNorm[j]!;
    const score = denom > 0 ? dot(data, i * dims, centroids, j * dims, dims) / denom : 0;
    insertTop(best[j]!, { index: i, score }, m);
  }
  return best;
}

/** Keeps `list` as the top m by score (descending; rows arrive in index order, so ties keep the lower index). */
function insertTop(list: Representative[], r: Representative, m: number): void {
  if (list.length === m && r.score <= list[m - 1]!.score) return;
  let at = list.length;
  while (at > 0 && list[at - 1]!.score < r.score) at--;
  list.splice(at, 0, r);
  if (list.length > m) list.pop();
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, dims: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 4 <= dims; t += 4) {
    s0 += a[ao + t]! * b[bo + t]!;
    s1 += a[ao + t + 1]! * b[bo + t + 1]!;
    s2 += a[ao + t + 2]! * b[bo + t + 2]!;
    s3 += a[ao + t + 3]! * b[bo + t + 3]!;
  }
  for (; t < dims; t++) s0 += a[ao + t]! * b[bo + t]!;
  return s0 + s1 + s2 + s3;
}
