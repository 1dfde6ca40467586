/** keywordTerms / fts5Query: user text becomes plain words, never full-text query syntax. */
import { describe, expect, it } from 'vitest';
import { fts5Query, keywordTerms, MAX_TERM_CHARS, MAX_TERMS } from '../../src/store/keyword-query.js';

describe('keyword query terms', () => {
  it('keeps words (letters, digits, inner marks), lower-cased, distinct, in order', () => {
    expect(keywordTerms('The quick, QUICK brown-fox; 42 times')).toEqual(['the', 'quick', 'brown', 'fox', '42', 'times']);
    expect(keywordTerms('Café naïve 日本語 हिन्दी x²')).toEqual(['café', 'naïve', '日本語', 'हिन्दी', 'x²']);
    expect(keywordTerms("don't stop")).toEqual(['don', 't', 'stop']);
  });

  it('drops every character of FTS5 and tsquery syntax', () => {
    const hostile = `"a" OR b* -c NEAR(d e, 2) text:f ^g 'h' i & j | !k <-> l:* (m) {n} \\o`;
    const terms = keywordTerms(hostile);
    expect(terms).toEqual(['a', 'or', 'b', 'c', 'near', 'd', 'e', '2', 'text', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o']);
    for (const t of terms) expect(t).toMatch(/^[\p{L}\p{N}][\p{L}\p{N}\p{M}]*$/u);
  });

  it('returns nothing for text without words', () => {
    for (const q of ['', '  ', '"*-:()', '\u0000', '\ud800', '🔋🔋', '\u0301\u0301']) expect(keywordTerms(q)).toEqual([]);
  });

  it('caps the number and the length of terms', () => {
    const many = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    expect(keywordTerms(many)).toHaveLength(MAX_TERMS);
    expect(keywordTerms(`${'y'.repeat(MAX_TERM_CHARS + 1)} ok ${'z'.repeat(MAX_TERM_CHARS)}`)).toEqual(['ok', 'z'.repeat(MAX_TERM_CHARS)]);
  });

  it('quotes each term for FTS5 and ORs them', () => {
    expect(fts5Query(['near', 'or', 'x'])).toBe('"near" OR "or" OR "x"');
    expect(fts5Query(['a"b'])).toBe('"a""b"');
  });
});
