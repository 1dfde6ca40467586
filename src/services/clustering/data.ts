/**
 * Reads what a clustering job works on: the live vectors of the documents matching the filter,
 * page by page in key order, with each document's text (for keywords) and metadata (for gold
 * labels). Documents deleted between the two reads are skipped. Vectors of cosine and ip
 * collections are L2-normalized, so k-means works in the cosine geometry search uses.
 */
import { abortError } from '../../threads/abort.js';
import type { CollectionRow, ModuleBinding, Store } from '../../store/types.js';
import { normalizeRows } from '../../vectors.js';
import type { Filter } from '../filter.js';

/** Documents read per page. */
const LOAD_PAGE = 2000;

/** The rows of a clustering: n vectors of `dims` floats (row-major) and, per row, key, text and metadata. */
export interface ClusteringData {
  n: number;
  dims: number;
  vectors: Float32Array;
  keys: number[];
  texts: string[];
  metadata: (Record<string, unknown> | null)[];
}

/** Loads the rows, of `module`'s vectors (default: the bound module's); `expected` (the current match count) sizes the buffer and the progress fraction. */
export async function loadClusteringData(
  store: Store,
  collection: CollectionRow,
  filter: Filter | null,
  opts: { expected: number; signal?: AbortSignal; onProgress?: (fraction: number) => void; module?: ModuleBinding | null },
): Promise<ClusteringData> {
  const module = opts.module ?? collection.module;
  const dims = module.dims;
  let vectors = new Float32Array(Math.max(1, opts.expected) * dims);
  const keys: number[] = [];
  const texts: string[] = [];
  const metadata: (Record<string, unknown> | null)[] = [];
  let afterKey: number | undefined;
  for (;;) {
    if (opts.signal?.aborted) throw abortError('the clustering was cancelled');
    const page = await store.vectors(collection.key, module.sha256, filter, { first: LOAD_PAGE, afterKey });
    if (page.length === 0) break;
    afterKey = page.at(-1)!.key;
    const docs = await store.getDocumentsByKeys(collection.key, page.map((p) => p.key));
    page.forEach((p, i) => {
      const d = docs[i];
      if (!d) return;
      const at = keys.length * dims;
      if (at + dims > vectors.length) {
        const grown = new Float32Array(vectors.length * 2);
        grown.set(vectors);
        vectors = grown;
      }
      vectors.set(p.vector, at);
      if (collection.metric !== 'l2') normalizeRows(vectors.subarray(at, at + dims), dims);
      keys.push(p.key);
      texts.push(d.text);
      metadata.push(d.metadata);
    });
    opts.onProgress?.(Math.min(1, keys.length / Math.max(1, opts.expected)));
    if (page.length < LOAD_PAGE) break;
  }
  const n = keys.length;
  return { n, dims, vectors: vectors.subarray(0, n * dims), keys, texts, metadata };
}
