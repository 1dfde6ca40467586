/**
 * Turns user text into the terms of a keyword search, for both dialects. User text is NEVER
 * handed to a full-text query parser (FTS5 MATCH syntax, to_tsquery syntax): quotes, `NEAR`,
 * `*`, `-`, `:`, parentheses or column filters would break the query or change its meaning.
 * Instead the text is cut into words (a letter or digit, then letters, digits and combining
 * marks), and each dialect builds an OR query from those words alone: a word has no character
 * that either query language treats as syntax. Stemming and stop words are the dialect's job.
 */

/** Most distinct terms one query uses; the rest of a very long query is ignored. */
export const MAX_TERMS = 64;

/** Longer "words" (no real word is) are dropped: PostgreSQL would ignore them anyway. */
export const MAX_TERM_CHARS = 256;

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/**
 * The distinct lower-cased words of `query` in order of first appearance, at most MAX_TERMS;
 * empty when the query holds no word (then a keyword search returns nothing).
 */
export function keywordTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const [word] of query.matchAll(WORD)) {
    if (word.length > MAX_TERM_CHARS) continue;
    terms.add(word.toLowerCase());
    if (terms.size === MAX_TERMS) break;
  }
  return [...terms];
}

/** An FTS5 MATCH expression: every term a quoted string (inner quotes doubled), ORed. */
export function fts5Query(terms: readonly string[]): string {
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' OR ');
}
