/**
 * The training set of a head: the live documents matching the filter that carry a usable label
 * under `labelKey` (a string, a finite number or a boolean, as its string), with their stored
 * vectors and, for sliced metrics, the string value of `sliceBy`. Documents without a usable label
 * are counted as skipped. Labels are sorted, and class i is labels[i].
 */
import { badInput, tooLarge } from '../../errors.js';
import type { CollectionRow, Store } from '../../store/types.js';
import { lookup, type Filter } from '../filter.js';

/** Most documents one training reads (200k × 512 floats is 400 MB). */
const MAX_TRAINING_DOCUMENTS = 200_000;
/** Most distinct labels a head may have. */
const MAX_CLASSES = 1000;
/** Documents per page of each scan. */
const PAGE = 2000;

export interface LabelledSet {
  /** n × dims stored vectors (a view that may start a larger buffer). */
  x: Float32Array;
  n: number;
  dims: number;
  /** Class of each row (index into `labels`). */
  y: Int32Array;
  labels: string[];
  /** The sliceBy value of each row (null where missing); empty without sliceBy. */
  slices: (string | null)[];
  /** Matching documents left out for lacking a usable label. */
  skipped: number;
}

/** A label or slice value as a string; null when missing or not a scalar. */
export function labelOf(value: unknown): string | null {
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return String(value);
  return null;
}

/** Reads the labelled documents of a collection; BAD_USER_INPUT when there is nothing to learn from. */
export async function loadLabelled(
  store: Store, collection: CollectionRow, opts: { labelKey: string; sliceBy: string | null; filter: Filter | null },
  allocate: (floats: number) => Float32Array = (floats) => new Float32Array(floats),
): Promise<LabelledSet> {
  const dims = collection.module.dims;
  const total = await store.countDocuments(collection.key, opts.filter);
  if (total > MAX_TRAINING_DOCUMENTS) {
    throw tooLarge(`${total} documents match; a head trains on at most ${MAX_TRAINING_DOCUMENTS}: narrow the filter`, { limit: MAX_TRAINING_DOCUMENTS });
  }
  // rows go straight into one matrix sized for every matching document (the labelled ones are fewer)
  const all = allocate(total * dims);
  let n = 0;
  const rawLabels: string[] = [];
  const slices: (string | null)[] = [];
  let skipped = 0;
  let afterKey: number | undefined;
  for (;;) {
    const page = await store.vectorsWithMetadata(collection.key, collection.module.sha256, opts.filter, { first: PAGE, afterKey });
    for (const d of page) {
      const label = labelOf(lookup(d.metadata, opts.labelKey));
      if (label === null) {
        skipped++;
        continue;
      }
      if (n === total) break; // written after the count: left for the next training
      all.set(d.vector, n * dims);
      n++;
      rawLabels.push(label);
      if (opts.sliceBy) slices.push(labelOf(lookup(d.metadata, opts.sliceBy)));
    }
    if (page.length < PAGE) break;
    afterKey = page.at(-1)!.key;
  }
  const where = opts.filter ? ' matching the filter' : '';
  if (rawLabels.length === 0) {
    throw badInput(`no document${where} has metadata key "${opts.labelKey}" with a string, number or boolean value (${skipped} documents checked)`);
  }
  const labels = [...new Set(rawLabels)].sort();
  if (labels.length < 2) {
    throw badInput(`a classifier needs at least 2 distinct labels; every labelled document${where} has "${opts.labelKey}" = "${labels[0]!.slice(0, 80)}"`);
  }
  if (labels.length > MAX_CLASSES) throw badInput(`"${opts.labelKey}" has ${labels.length} distinct values; a head supports at most ${MAX_CLASSES} labels`);
  const index = new Map(labels.map((l, i) => [l, i]));
  return { x: all.subarray(0, n * dims), n, dims, y: Int32Array.from(rawLabels, (l) => index.get(l)!), labels, slices, skipped };
}
