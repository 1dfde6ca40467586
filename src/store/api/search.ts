/** The reads behind search: vectors of hits by key, the allow-list of a filter, keyword search. */
import type { Filter } from '../filter-ast.js';

/** What a search reads besides the vector index. */
export interface SearchStore {
  /**
   * Stored vectors of `module` by document key, in the order of `keys`, null where the key is
   * missing, soft-deleted, of another collection or has no vector of that module. Any number of
   * keys (read in chunks under the bound-parameter limits). Each vector is a fresh aligned copy
   * the caller owns; a key asked for twice gets the same array twice.
   */
  getVectorsByKeys(collectionKey: number, module: string, keys: number[]): Promise<(Float32Array | null)[]>;
  /**
   * Keys of the live documents matching `filter` (all live documents when null), ascending: the
   * allow-list of a filtered vector search. Only the key column is read and the filter runs in
   * SQL, so tens of thousands of keys cost milliseconds.
   */
  documentKeys(collectionKey: number, filter: Filter | null): Promise<Int32Array>;
  /**
   * BM25-style full-text search over the text of the live documents matching `filter`: at most
   * `limit` hits, best first (ties by key), `score` > 0 and higher is better. `query` is plain
   * user text, never query syntax: its words (letters, digits; at most 64 distinct) are ORed, so a
   * document matching more or rarer words ranks higher. Words are stemmed (English) and case and
   * diacritics folded; stop words are ignored on PostgreSQL. A query without words returns [].
   * Scores are comparable within one result list only, not across dialects or queries.
   */
  keywordSearch(collectionKey: number, query: string, limit: number, filter: Filter | null): Promise<{ key: number; score: number }[]>;
}

/** The methods of SearchStore (the binder's list; the compiler keeps it complete). */
export const SEARCH_METHODS: Record<keyof SearchStore, true> = {
  getVectorsByKeys: true, documentKeys: true, keywordSearch: true,
};
