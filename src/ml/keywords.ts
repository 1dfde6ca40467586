/**
 * Cluster keywords by class-based TF-IDF (c-TF-IDF, Grootendorst 2022, BERTopic): all texts of a
 * cluster form one document; a term's weight in cluster c is
 *   tf(t, c) * log(1 + A / f(t))
 * with tf the term's count in c divided by c's total term count, f(t) the term's count over all
 * clusters and A the average term count per cluster. Terms are unigrams and bigrams from
 * tokenize.ts that occur in at least `minDf` texts.
 */
import { ENGLISH_STOPWORDS } from './stopwords.js';
import { tokenize } from './tokenize.js';

export { labelFromKeywords } from './label.js';

/** A scored keyword. */
export interface Keyword {
  term: string;
  score: number;
}

/** Options of `clusterKeywords`. */
export interface KeywordOptions {
  /** Keywords per cluster (default 10). */
  topN?: number;
  /** Minimum number of texts (over all clusters) a term must occur in (default 2, or 1 with fewer than 10 texts). */
  minDf?: number;
  /** Include bigrams (default true). */
  bigrams?: boolean;
  /** Stopwords (default ENGLISH_STOPWORDS). */
  stopwords?: ReadonlySet<string>;
}

/** Top keywords of each cluster; `clusters[c]` holds the texts of cluster c. */
export function clusterKeywords(clusters: readonly (readonly string[])[], opts: KeywordOptions = {}): Keyword[][] {
  const topN = opts.topN ?? 10;
  const stopwords = opts.stopwords ?? ENGLISH_STOPWORDS;
  const useBigrams = opts.bigrams ?? true;
  const totalTexts = clusters.reduce((s, c) => s + c.length, 0);
  const minDf = opts.minDf ?? (totalTexts < 10 ? 1 : 2);
  const counts = clusters.map(() => new Map<string, number>());
  const df = new Map<string, number>();
  clusters.forEach((texts, c) => {
    for (const text of texts) {
      const { unigrams, bigrams } = tokenize(text, stopwords);
      const terms = useBigrams ? unigrams.concat(bigrams) : unigrams;
      for (const t of terms) counts[c]!.set(t, (counts[c]!.get(t) ?? 0) + 1);
      for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
    }
  });
  const kept = (t: string): boolean => (df.get(t) ?? 0) >= minDf;
  const freq = new Map<string, number>();
  const totals = counts.map((m) => {
    let total = 0;
    for (const [t, v] of m) {
      if (!kept(t)) continue;
      total += v;
      freq.set(t, (freq.get(t) ?? 0) + v);
    }
    return total;
  });
  const avg = totals.reduce((s, v) => s + v, 0) / Math.max(1, clusters.length);
  return counts.map((m, c) => {
    const scored: Keyword[] = [];
    for (const [term, v] of m) {
      if (!kept(term)) continue;
      scored.push({ term, score: (v / totals[c]!) * Math.log(1 + avg / freq.get(term)!) });
    }
    scored.sort((x, y) => y.score - x.score || (x.term < y.term ? -1 : x.term > y.term ? 1 : 0));
    return scored.slice(0, topN);
  });
}

/** Groups texts by cluster id (0..k-1, k defaulting to max id + 1) and returns each cluster's keywords. */
export function keywordsByAssignment(
  texts: readonly string[],
  assignments: ArrayLike<number>,
  k?: number,
  opts: KeywordOptions = {},
): Keyword[][] {
  if (texts.length !== assignments.length) throw new RangeError(`keywords: ${texts.length} texts but ${assignments.length} assignments`);
  let clusters = k ?? 0;
  if (k === undefined) for (let i = 0; i < assignments.length; i++) clusters = Math.max(clusters, assignments[i]! + 1);
  const grouped: string[][] = Array.from({ length: clusters }, () => []);
  for (let i = 0; i < texts.length; i++) {
    const c = assignments[i]!;
    if (c >= 0 && c < clusters) grouped[c]!.push(texts[i]!);
  }
  return clusterKeywords(grouped, opts);
}
