/**
 * One batch as a graph consumes it, in a form that crosses thread boundaries cheaply
 * (typed arrays are transferred, not copied).
 * - `sparse`: USE-style SentencePiece ids, row i holding `lengths[i]` ids, all ids concatenated
 *   in `values` (the graph's `values` input; `indices` is derived from `lengths`).
 * - `text`: raw strings for graphs with a single string input.
 */
export type ModelInput =
  | { kind: 'sparse'; lengths: Int32Array; values: Int32Array }
  | { kind: 'text'; texts: string[] };

/** Number of texts in a batch. */
export function batchSize(input: ModelInput): number {
  return input.kind === 'sparse' ? input.lengths.length : input.texts.length;
}

/** Packs token id lists into a sparse ModelInput. */
export function packTokens(rows: readonly ArrayLike<number>[]): ModelInput {
  const lengths = new Int32Array(rows.length);
  let total = 0;
  for (let i = 0; i < rows.length; i++) total += lengths[i] = rows[i]!.length;
  const values = new Int32Array(total);
  let at = 0;
  for (const row of rows) {
    values.set(row, at);
    at += row.length;
  }
  return { kind: 'sparse', lengths, values };
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

/** The worker transfer list of a ModelInput (its typed-array buffers). */
export function transferablesOf(input: ModelInput): ArrayBuffer[] {
  return input.kind === 'sparse' ? [input.lengths.buffer as ArrayBuffer, input.values.buffer as ArrayBuffer] : [];
}
