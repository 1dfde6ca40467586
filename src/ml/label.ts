/**
 * A short readable cluster label from ranked keywords: the first `max` distinct terms joined by
 * " / ". A term whose every word is already shown is dropped (a unigram inside a chosen bigram, or
 * "charger cable" after "battery charger" and "cable"), a bigram replaces the chosen unigrams it
 * contains, and simple plural twins ("charger", "chargers") count as one word.
 */
const words = (term: string): string[] => term.split(' ');

function sameWord(a: string, b: string): boolean {
  return a === b || a === `${b}s` || b === `${a}s` || a === `${b}es` || b === `${a}es`;
}

/** Whether every word of `inner` is (a plural twin of) a word of `outer`. */
function covered(inner: string, outer: string): boolean {
  const o = words(outer);
  return words(inner).every((w) => o.some((x) => sameWord(w, x)));
}

/**
 * E.g. ["battery", "cable", "charger", "battery charger", "usb"] -> "battery charger / cable / usb";
 * keywords may be terms or scored keywords (keywords.ts's Keyword; only `term` is read).
 * Looks at the first 3 * max keywords; once `max` terms are chosen, a later bigram may still merge
 * the unigrams it contains. Empty input gives "".
 */
export function labelFromKeywords(keywords: readonly (string | { readonly term: string })[], max = 3): string {
  let chosen: string[] = [];
  for (const k of keywords.slice(0, 3 * max)) {
    const term = typeof k === 'string' ? k : k.term;
    const merged = chosen.filter((c) => words(c).length < words(term).length && covered(c, term));
    const others = chosen.filter((c) => !merged.includes(c));
    const fresh = words(term).filter((w) => !merged.some((c) => covered(w, c)));
    // nothing new to show: every word left over is already in another chosen term
    if ((merged.length === 0 || fresh.length > 0) && fresh.every((w) => others.some((c) => covered(w, c)))) continue;
    if (merged.length === 0 && chosen.length >= max) continue;
    // a bigram takes the place of the first chosen unigram it contains
    const at = merged.length === 0 ? others.length : chosen.indexOf(merged[0]!);
    chosen = [...others.slice(0, at), term, ...others.slice(at)];
  }
  return chosen.slice(0, max).join(' / ');
}
