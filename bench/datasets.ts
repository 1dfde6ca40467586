/**
 * Readers for the shared evaluation data (../shared/data, or SEMHUB_EVAL_DATA), by path, never
 * copied into the repository. Each returns null when its files are missing, so callers can skip
 * with a clear message.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { evalDataDir } from '../src/paths.js';

const file = (...parts: string[]) => path.join(evalDataDir(), ...parts);
const read = (p: string, encoding: BufferEncoding = 'utf8') => (existsSync(p) ? readFileSync(p, encoding) : null);
const lines = (text: string) => text.split(/\r?\n/).filter((l) => l.trim().length > 0);

export interface StsPair {
  score: number;
  a: string;
  b: string;
}

/** STS Benchmark: TAB-separated, fields 5, 6, 7 (1-based) are score, sentence 1, sentence 2. */
export function loadSts(split: 'train' | 'dev'): StsPair[] | null {
  const text = read(file('stsbenchmark', `sts-${split}.csv`));
  if (text === null) return null;
  return lines(text).flatMap((l) => {
    const f = l.split('\t');
    const score = Number(f[4]);
    return f.length >= 7 && Number.isFinite(score) ? [{ score, a: f[5]!, b: f[6]! }] : [];
  });
}

export interface Review {
  text: string;
  title: string;
  rating: number;
  productType: string;
  /** The corpus domain the review was filed under: books, dvd, electronics or kitchen. */
  domain: string;
  sentiment: 'positive' | 'negative';
}

const field = (block: string, tag: string) => {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(block);
  return m ? m[1]!.trim() : '';
};

/** Amazon multi-domain reviews (Blitzer 2007): pseudo-XML, parsed tolerantly block by block. */
export function loadAmazonReviews(): Review[] | null {
  const out: Review[] = [];
  for (const domain of ['books', 'dvd', 'electronics', 'kitchen']) {
    for (const sentiment of ['positive', 'negative'] as const) {
      const text = read(file('amazon_multidomain', domain, `${sentiment}.review`), 'latin1');
      if (text === null) return null;
      for (const block of text.split('</review>')) {
        const body = field(block, 'review_text');
        if (!body) continue;
        out.push({
          text: body.replace(/\s+/g, ' '),
          title: field(block, 'title'),
          rating: Number(field(block, 'rating')) || 0,
          productType: field(block, 'product_type') || domain,
          domain,
          sentiment,
        });
      }
    }
  }
  return out;
}

export interface Labelled {
  text: string;
  label: string;
}

/** SST-2 (SentEval): "LABEL sentence" lines, 0 negative, 1 positive. */
export function loadSst2(split: 'train' | 'dev'): Labelled[] | null {
  const text = read(file('senteval', 'SST2', `stsa.binary.${split}`));
  if (text === null) return null;
  return lines(text).map((l) => ({ label: l[0] === '1' ? 'positive' : 'negative', text: l.slice(2).trim() }));
}

/** Splits one CSV line (RFC 4180 quotes). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/** BANKING77 train: CSV `text,category`. */
export function loadBanking77(): Labelled[] | null {
  const text = read(file('banking77', 'train.csv'));
  if (text === null) return null;
  return lines(text)
    .slice(1)
    .map((l) => {
      const f = csvFields(l);
      return { text: f.slice(0, -1).join(','), label: f.at(-1)! };
    })
    .filter((r) => r.text && r.label);
}

export interface SciFact {
  corpus: { id: string; title: string; text: string }[];
  queries: Map<string, string>;
  /** query id -> relevant corpus ids (train judgements). */
  qrels: Map<string, Set<string>>;
}

/** BEIR SciFact: corpus and queries as JSONL, train judgements as TSV. */
export function loadSciFact(): SciFact | null {
  const corpusText = read(file('beir_scifact', 'corpus.jsonl'));
  const queryText = read(file('beir_scifact', 'queries.jsonl'));
  const qrelText = read(file('beir_scifact', 'qrels', 'train.tsv'));
  if (corpusText === null || queryText === null || qrelText === null) return null;
  const corpus = lines(corpusText).map((l) => {
    const d = JSON.parse(l) as { _id: string; title: string; text: string };
    return { id: String(d._id), title: d.title, text: d.text };
  });
  const queries = new Map(lines(queryText).map((l) => {
    const q = JSON.parse(l) as { _id: string; text: string };
    return [String(q._id), q.text] as const;
  }));
  const qrels = new Map<string, Set<string>>();
  for (const l of lines(qrelText).slice(1)) {
    const [q, d, s] = l.split('\t');
    if (!q || !d || Number(s) <= 0) continue;
    if (!qrels.has(q)) qrels.set(q, new Set());
    qrels.get(q)!.add(d);
  }
  return { corpus, queries, qrels };
}

/** One-sentence-a-line SentEval files (latin-1 where noted in the data README). */
function senteval(dir: string, names: string[], encoding: BufferEncoding): string[] {
  return names.flatMap((n) => {
    const t = read(file('senteval', dir, n), encoding);
    return t === null ? [] : lines(t);
  });
}

/** Every text of the shared data sets (about 70k), deduplicated, in a stable order: the search bench's corpus. */
export function allTexts(): string[] {
  const texts: string[] = [];
  for (const p of loadSts('train') ?? []) texts.push(p.a, p.b);
  for (const p of loadSts('dev') ?? []) texts.push(p.a, p.b);
  texts.push(...senteval('MR', ['rt-polarity.pos', 'rt-polarity.neg'], 'latin1'));
  texts.push(...senteval('CR', ['custrev.pos', 'custrev.neg'], 'utf8'));
  texts.push(...senteval('SUBJ', ['subj.objective', 'subj.subjective'], 'latin1'));
  texts.push(...senteval('MPQA', ['mpqa.pos', 'mpqa.neg'], 'utf8'));
  texts.push(...(loadSst2('train') ?? []).map((r) => r.text), ...(loadSst2('dev') ?? []).map((r) => r.text));
  texts.push(...senteval('TREC', ['TREC.train'], 'latin1').map((l) => l.slice(l.indexOf(' ') + 1)));
  for (const n of ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt']) {
    const t = read(file('uci_sentiment', n));
    if (t) texts.push(...lines(t).map((l) => l.split('\t')[0]!.trim()));
  }
  texts.push(...(loadAmazonReviews() ?? []).map((r) => r.text));
  texts.push(...(loadBanking77() ?? []).map((r) => r.text));
  for (const d of loadSciFact()?.corpus ?? []) texts.push(`${d.title} ${d.text}`);
  return [...new Set(texts.map((t) => t.trim()).filter(Boolean))];
}
