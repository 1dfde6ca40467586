/**
 * Length buckets for batching: rows of one bucket pad to nearly the same length. Lengths up to
 * {@link EXACT_UP_TO} get a bucket each; above it buckets grow by {@link GROWTH} (about 8% padding
 * at most), and everything from {@link MAX_BUCKET_LENGTH} up shares the last one.
 */
const EXACT_UP_TO = 24;
/** Width ratio of consecutive buckets above EXACT_UP_TO. */
const GROWTH = 1.08;
/** Rows at least this long share one bucket. */
const MAX_BUCKET_LENGTH = 1024;

/** The bucket key of a row of `length` tokens; keys sort like lengths. */
export function bucketOf(length: number): number {
  const len = Math.min(length, MAX_BUCKET_LENGTH);
  if (len <= EXACT_UP_TO) return len;
  return EXACT_UP_TO + 1 + Math.floor(Math.log(len / EXACT_UP_TO) / Math.log(GROWTH));
}

/**
 * Rows a batch of rows padded to `longest` may hold: `tokenBudget / longest`, at least 1 and at
 * most `maxBatch`. The graph densifies sparse input to rows × longest, so the budget bounds the
 * padded work (and the activations' size) of one batch.
 */
export function rowsFor(longest: number, tokenBudget: number, maxBatch: number): number {
  return Math.max(1, Math.min(maxBatch, Math.floor(tokenBudget / Math.max(1, longest))));
}
