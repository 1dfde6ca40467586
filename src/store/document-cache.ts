/**
 * A read-through cache of document rows in front of a Store, for the read every search makes:
 * the rows of its hits by key. Search hits are skewed (popular documents come back again and
 * again), and a hit read from SQLite is a random page read plus a row decode, about a tenth of a
 * vector search request's main-thread time; from PostgreSQL it is a network round trip.
 *
 * Consistency: every Store method that is not on the read list below counts as a write. A write
 * clears the whole cache when it starts and again when it settles, and bumps a generation counter
 * both times; a read stores what it got only if no write started or ended while it ran. So a row
 * read before a write can never be cached after it, and a method added to Store later is safe by
 * default (treated as a write) until it is listed as a read. Rows are frozen: callers share them.
 *
 * Writes made by other processes on the same store (PostgreSQL) clear it the same way: a
 * `documents` change notice (api/changes.ts), and a read of the change log that returns changes
 * (the index's catch-up, woken by a notice or by its poll when a notice was missed), each clear
 * the cache and bump the generation. So a row another process changed is served stale for no
 * longer than this process's index is.
 */
import { LruCache } from '../lru-cache.js';
import type { DocumentRow, Store } from './types.js';

/** Store methods that never change documents (everything else clears the cache). */
const READS = new Set<string>([
  'dialect', 'getCollection', 'listCollections', 'countCollections', 'collectionKeys', 'getDocumentsByIds', 'getDocumentsByKeys',
  'listDocuments', 'countDocuments', 'countDeleted', 'vectorsByContentHash', 'vectors', 'changesSince', 'maxSeq', 'changeLag',
  'getVectorsByKeys', 'documentKeys', 'keywordSearch', 'getJob', 'getClustering', 'listClusterings', 'countClusterings', 'getClusters', 'listClusterDocuments',
  'countClusterDocuments', 'listClusterPoints', 'countClusterPoints', 'vectorsWithMetadata', 'getClassifier', 'listClassifiers', 'classifierVersions', 'getClassifierWeights',
  'listModules', 'onChange', 'collectionVersions', 'staleDocuments', 'countStale',
]);

/** Rows kept by default: a few tens of MB for short documents. */
const DOCUMENT_CACHE_ROWS = 20_000;
/**
 * Reads of more keys than this (bulk loads: a clustering reads its collection in pages of 2,000)
 * go straight to the store and leave the cache alone, so they neither pay for it nor push the hot
 * rows of searches out.
 */
export const CACHED_READ_MAX_KEYS = 1_000;

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

/** `store` with `getDocumentsByKeys` served from a bounded cache; `stats` for tests and metrics. */
export function withDocumentCache(store: Store, capacity = DOCUMENT_CACHE_ROWS): Store & { documentCacheStats(): CacheStats } {
  // key -> [collectionKey, row], least recently used dropped first; documents.key is unique across
  // collections, the collection is checked anyway
  const rows = new LruCache<number, [number, DocumentRow]>(capacity);
  let generation = 0;
  let writing = 0;
  let hits = 0;
  let misses = 0;
  const clear = () => {
    generation++;
    rows.clear();
  };

  async function getDocumentsByKeys(collectionKey: number, keys: number[]): Promise<(DocumentRow | null)[]> {
    if (keys.length > CACHED_READ_MAX_KEYS) return store.getDocumentsByKeys(collectionKey, keys);
    const out: (DocumentRow | null)[] = new Array(keys.length);
    const missing: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const cached = rows.get(keys[i]!);
      if (cached && cached[0] === collectionKey) out[i] = cached[1];
      else missing.push(i);
    }
    hits += keys.length - missing.length;
    if (!missing.length) return out;
    misses += missing.length;
    const started = generation;
    const read = await store.getDocumentsByKeys(collectionKey, missing.map((i) => keys[i]!));
    const cacheable = writing === 0 && generation === started;
    missing.forEach((at, j) => {
      const row = read[j] ?? null;
      out[at] = row;
      if (row && cacheable) {
        if (row.metadata) Object.freeze(row.metadata);
        rows.set(row.key, [collectionKey, Object.freeze(row)]);
      }
    });
    return out;
  }

  /** A write method that clears the cache when it starts and when it settles. */
  const asWrite = (method: (...a: unknown[]) => unknown) => (...args: unknown[]) => {
    writing++;
    clear();
    const settle = () => {
      writing--;
      clear();
    };
    let result: unknown;
    try {
      result = method.apply(store, args);
    } catch (e) {
      settle();
      throw e;
    }
    if (result instanceof Promise) return result.finally(settle);
    settle();
    return result;
  };

  /**
   * Reads of the change log: changes found mean documents changed (here or elsewhere) since the
   * reader looked. Only a store shared by several processes (one with a change feed) needs this:
   * on a store of one process every change is a write through this cache, which already cleared it.
   */
  async function changesSince(...args: Parameters<Store['changesSince']>): ReturnType<Store['changesSince']> {
    const changes = await store.changesSince(...args);
    if (changes.length > 0) clear();
    return changes;
  }
  store.onChange?.((notice) => {
    if (notice.kind === 'documents') clear();
  });

  // Methods are bound (reads) or wrapped (writes) once per name, not on every call.
  const methods = new Map<string | symbol, unknown>([
    ['getDocumentsByKeys', getDocumentsByKeys],
    ...(store.onChange ? [['changesSince', changesSince] as const] : []),
    ['documentCacheStats', (): CacheStats => ({ hits, misses, size: rows.size })],
  ]);
  return new Proxy(store, {
    get(target, prop, receiver) {
      const known = methods.get(prop);
      if (known) return known;
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...a: unknown[]) => unknown;
      const made = typeof prop !== 'string' || READS.has(prop) ? method.bind(target) : asWrite(method);
      methods.set(prop, made);
      return made;
    },
  }) as Store & { documentCacheStats(): CacheStats };
}
