/**
 * Tokenizer for keyword extraction: NFKC, lowercase, apostrophes joined ("don't" -> "dont"),
 * phrases split at punctuation, tokens are runs of Unicode letters and digits. Tokens shorter than
 * 3 characters, pure numbers and stopwords are dropped; they also break bigrams, so a bigram is
 * always two kept tokens adjacent in the text.
 */
import { ENGLISH_STOPWORDS } from './stopwords.js';

const APOSTROPHES = /['\u2019\u02bc]/g;
const PHRASE_BREAK = /[^\p{L}\p{N}\s'\u2019\u02bc-]+/u;
const TOKEN = /[\p{L}\p{N}]+/gu;
const NUMBER = /^\p{N}+$/u;

/** Tokens of a text with bigrams: unigrams in order, then "a b" for each adjacent kept pair. */
export interface Tokens {
  unigrams: string[];
  bigrams: string[];
}

/** Whether a token is kept as a keyword candidate. */
function keepToken(token: string, stopwords: ReadonlySet<string> = ENGLISH_STOPWORDS): boolean {
  return token.length >= 3 && !NUMBER.test(token) && !stopwords.has(token);
}

/** Splits a text into kept unigrams and bigrams not spanning a dropped token or punctuation. */
export function tokenize(text: string, stopwords: ReadonlySet<string> = ENGLISH_STOPWORDS): Tokens {
  const unigrams: string[] = [];
  const bigrams: string[] = [];
  const phrases = text.normalize('NFKC').toLowerCase().replace(APOSTROPHES, '').split(PHRASE_BREAK);
  for (const phrase of phrases) {
    let previous: string | null = null;
    for (const match of phrase.matchAll(TOKEN)) {
      const token = match[0];
      if (!keepToken(token, stopwords)) {
        previous = null;
        continue;
      }
      unigrams.push(token);
      if (previous !== null) bigrams.push(`${previous} ${token}`);
      previous = token;
    }
  }
  return { unigrams, bigrams };
}
