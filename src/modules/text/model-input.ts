/**
 * USE-style sparse input, as the TF.js graph consumes it: row i holds `lengths[i]` SentencePiece
 * ids, all ids concatenated in `values` (the graph's `values` input; `indices` is derived from
 * `lengths`).
 */
export interface SparseInput {
  lengths: Int32Array;
  values: Int32Array;
}

/** Packs token id lists into a SparseInput. */
export function packTokens(rows: readonly ArrayLike<number>[]): SparseInput {
  const lengths = new Int32Array(rows.length);
  let total = 0;
  for (let i = 0; i < rows.length; i++) total += lengths[i] = rows[i]!.length;
  const values = new Int32Array(total);
  let at = 0;
  for (const row of rows) {
    values.set(row, at);
    at += row.length;
  }
  return { lengths, values };
}

/**
 * The `indices` input of USE-lite, [n, 2] flattened: `(row, position)` for every id, in the
 * order of `values`; this is what the reference `UniversalSentenceEncoder.embed` builds.
 */
export function sparseIndices(lengths: Int32Array): Int32Array {
  let total = 0;
  for (const n of lengths) total += n;
  const indices = new Int32Array(total * 2);
  let k = 0;
  for (let row = 0; row < lengths.length; row++) {
    for (let pos = 0; pos < lengths[row]!; pos++) {
      indices[k++] = row;
      indices[k++] = pos;
    }
  }
  return indices;
}

/** One batch as an executor runs it: the texts, tokenized where the model runs (in the worker). */
export type ModelInput = { kind: 'text'; texts: string[] };
