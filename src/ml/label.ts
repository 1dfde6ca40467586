/**
 * A short readable cluster label from ranked keywords: the first `max` distinct terms joined by
 * " / ", where a unigram already inside a chosen bigram is dropped (and a bigram replaces the
 * chosen unigrams it contains), and simple plural twins ("charger", "chargers") count once.
 */
import type { Keyword } from './keywords.js';

const words = (term: string): string[] => term.split(' ');

function sameWord(a: string, b: string): boolean {
  return a === b || a === `${b}s` || b === `${a}s` || a === `${b}es` || b === `${a}es`;
}

/** Whether every word of `inner` is (a plural twin of) a word of `outer`. */
function covered(inner: string, outer: string): boolean {
  const o = words(outer);
  return words(inner).every((w) => o.some((x) => sameWord(w, x)));
}

/** E.g. ["battery charger", "cable", "battery", "usb"] -> "battery charger / cable / usb". Empty input gives "". */
export function labelFromKeywords(keywords: readonly (string | Keyword)[], max = 3): string {
  const chosen: string[] = [];
  for (const k of keywords) {
    const term = typeof k === 'string' ? k : k.term;
    if (chosen.some((c) => covered(term, c))) continue;
    // a bigram takes the place of the first chosen unigram it contains
    const at = chosen.findIndex((c) => covered(c, term));
    const rest = chosen.filter((c) => !covered(c, term));
    chosen.length = 0;
    chosen.push(...rest);
    chosen.splice(at < 0 ? chosen.length : at, 0, term);
    if (chosen.length >= max) break;
  }
  return chosen.join(' / ');
}
