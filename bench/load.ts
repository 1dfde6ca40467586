/**
 * `semhub bench load`: a real server (the e2e harness) with one collection of ~500 real Amazon
 * reviews and, when the API has `classify`, a small LOGISTIC sentiment head; then `seconds`
 * (default 60) of 32 concurrent clients running a fixed mix: search by text 30%, by vector 15%,
 * by documentId 20%, upserts of 4 new reviews 15%, classify of 4 texts 20% (its share goes to
 * search by text when there is no classifier API), after 10 s of the same mix as a warm-up. Reports,
 * for the measured window, per operation: count, errors by code, p50/p99 latency; the server's RSS
 * at start and end, its peak, and the growth bound:
 *   growth ≤ 96 MB + 8 KB × documents added during the run
 * (96 MB covers the encoder's vector cache (10k × 2 KB), SQLite's page cache, V8 heap headroom
 * and allocator fragmentation; 8 KB per document covers its stored text, 512-d vector and HNSW
 * links, in the store, the index and the cache). The server runs as `semhub serve` does: its default
 * backend (SEMHUB_BACKEND, else auto) and workers (SEMHUB_EMBED_WORKERS, else one per core); the
 * JSON names the backend it reported and `text_vs_vector_p50_ratio` (search by text p50 over search
 * by vector p50: the encoder's share of a text search's latency). One JSON line with --json.
 * Run directly: `npx tsx bench/load.ts [--json] [--seconds 60]`.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRng } from '../src/ml/prng.js';
import { loadAmazonReviews } from './datasets.js';
import { percentile, round } from './retrieval-metrics.js';
import { gql, metricSums, removeDir, rssOf, startServerProcess, type GqlResponse } from './server-process.js';

const CLIENTS = 32;
const DOCS = 500;
const UPSERT_SIZE = 4;
const CLASSIFY_SIZE = 4;
const DIMS = 512;
const BASE_MB = 96;
const PER_DOC_KB = 8;
/** Seconds of the same mix before the measured window (latencies, errors and RSS growth are the window's). */
const WARM_UP_SECONDS = 10;

type Op = 'searchText' | 'searchVector' | 'searchDocumentId' | 'upsert' | 'classify';
const MIX: [Op, number][] = [
  ['searchText', 0.3],
  ['searchVector', 0.15],
  ['searchDocumentId', 0.2],
  ['upsert', 0.15],
  ['classify', 0.2],
];

const SEARCH = `query LoadSearch($text: String, $vector: [Float!], $id: ID) {
  search(collection: "load", text: $text, vector: $vector, documentId: $id, limit: 10) { score document { id } }
}`;
const UPSERT = `mutation LoadUpsert($d: [DocumentInput!]!) { upsertDocuments(collection: "load", documents: $d) { ids errors { code } } }`;
const CLASSIFY = `query LoadClassify($t: [String!]!) { classify(collection: "load", classifier: "sentiment", texts: $t) { label probability } }`;

const unitVector = (next: () => number) => {
  const v = Array.from({ length: DIMS }, () => next() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

export interface BenchLoadOptions {
  json: boolean;
  seconds?: number;
}

/** How much a /metrics series grew between two scrapes. */
const growth = (start: Map<string, number>, end: Map<string, number>, series: string) => (end.get(series) ?? 0) - (start.get(series) ?? 0);

/** Runs the load benchmark and returns its JSON object. */
export async function benchLoad(opts: BenchLoadOptions): Promise<object> {
  const seconds = opts.seconds ?? 60;
  const log = (m: string) => process.stderr.write(`bench load: ${m}\n`);
  const reviews = loadAmazonReviews();
  if (!reviews) throw new Error('bench load needs the Amazon reviews of the shared data (../shared/data/amazon_multidomain)');
  const step = Math.floor(reviews.length / DOCS);
  const seed = reviews.filter((_, i) => i % step === 0).slice(0, DOCS);
  const pool = reviews.filter((_, i) => i % step !== 0).map((r) => r.text.slice(0, 300));
  const docs = seed.map((r, i) => ({ id: `d${i}`, text: r.text.slice(0, 300), metadata: { product: r.productType, sentiment: r.sentiment, stars: r.rating } }));

  // The harness pins one embedding worker for tests; this bench runs the server's own default.
  const workers = process.env.SEMHUB_EMBED_WORKERS || String(os.availableParallelism?.() ?? os.cpus().length);
  const server = await startServerProcess({ env: { SEMHUB_EMBED_WORKERS: workers } });
  try {
    const modules = await gql(server.url, '{ modules { backend backendNote } }');
    const backend = (modules.data?.modules?.[0]?.backend as string | undefined) ?? 'unknown';
    log(`server at ${server.url} (${backend}, ${workers} embedding workers); writing ${docs.length} reviews`);
    await gql(server.url, 'mutation { createCollection(name: "load") { name } }');
    for (let i = 0; i < docs.length; i += 100) {
      const r = await gql(server.url, UPSERT, { d: docs.slice(i, i + 100) });
      if (r.errors || r.data.upsertDocuments.errors.length) throw new Error(`seeding failed: ${JSON.stringify(r.errors ?? r.data.upsertDocuments.errors)}`);
    }
    const fields = await gql(server.url, '{ __type(name: "Query") { fields { name } } }');
    const hasClassify = (fields.data.__type.fields as { name: string }[]).some((f) => f.name === 'classify');
    let classifyNote = 'classify: sentiment LOGISTIC head trained on the 500 reviews';
    if (hasClassify) {
      const t = await gql(server.url, 'mutation { trainClassifier(collection: "load", name: "sentiment", labelKey: "sentiment", head: LOGISTIC) { name } }');
      if (t.errors) throw new Error(`training failed: ${JSON.stringify(t.errors)}`);
    } else {
      classifyNote = 'classify: skipped (no classify in this schema); its share went to search by text';
    }
    log(`${classifyNote}; ${CLIENTS} clients for ${seconds} s`);

    const pid = server.proc.pid!;
    const latencies = new Map<Op, number[]>(MIX.map(([op]) => [op, []]));
    const errors = new Map<Op, Record<string, number>>(MIX.map(([op]) => [op, {}]));
    let added = 0;
    let poolAt = 0;
    let deadline = 0;

    const client = async (c: number, next: () => number) => {
      while (Date.now() < deadline) {
        let r = next();
        let op: Op = MIX.find(([, w]) => (r -= w) < 0)?.[0] ?? 'searchText';
        if (op === 'classify' && !hasClassify) op = 'searchText';
        const started = performance.now();
        let res: GqlResponse;
        try {
          if (op === 'searchText') res = await gql(server.url, SEARCH, { text: pool[Math.floor(next() * pool.length)] });
          else if (op === 'searchVector') res = await gql(server.url, SEARCH, { vector: unitVector(next) });
          else if (op === 'searchDocumentId') res = await gql(server.url, SEARCH, { id: `d${Math.floor(next() * docs.length)}` });
          else if (op === 'classify') res = await gql(server.url, CLASSIFY, { t: Array.from({ length: CLASSIFY_SIZE }, () => pool[Math.floor(next() * pool.length)]) });
          else {
            const d = Array.from({ length: UPSERT_SIZE }, (_, j) => ({ id: `u${c}-${poolAt}-${j}`, text: pool[poolAt++ % pool.length]!, metadata: { client: c } }));
            res = await gql(server.url, UPSERT, { d });
            if (!res.errors) added += UPSERT_SIZE - res.data.upsertDocuments.errors.length;
          }
        } catch (e) {
          res = { status: 0, errors: [{ message: String(e), extensions: { code: 'NETWORK' } }] };
        }
        latencies.get(op)!.push(performance.now() - started);
        for (const e of res.errors ?? []) {
          const code = e.extensions?.code ?? 'UNKNOWN';
          errors.get(op)![code] = (errors.get(op)![code] ?? 0) + 1;
        }
      }
    };
    // seeded per client (the project's PRNG), so every run draws the same mix
    const draws = Array.from({ length: CLIENTS }, (_, c) => createRng(1000 + c).next);
    const run = async (s: number) => {
      deadline = Date.now() + s * 1000;
      await Promise.all(draws.map((next, c) => client(c, next)));
    };

    // Warm-up: the same mix, not timed, so the measured window starts with the server's heaps and
    // arenas at their working size (serve lets V8's young generation grow to 3 x 64 MB semi-spaces).
    const rssBeforeWarmUp = rssOf(pid) ?? 0;
    await run(WARM_UP_SECONDS);
    const warmUpAdded = added;
    for (const l of latencies.values()) l.length = 0;
    for (const op of errors.keys()) errors.set(op, {});
    added = 0;

    const rssStart = rssOf(pid) ?? 0;
    const memStart = await metricSums(server.base);
    let rssPeak = rssStart;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(pid) ?? 0)), 1000);
    await run(seconds);
    clearInterval(sampler);
    const rssEnd = rssOf(pid) ?? 0;
    const memEnd = await metricSums(server.base);
    rssPeak = Math.max(rssPeak, rssEnd);

    const mb = (b: number) => round(b / 1048576, 1);
    const bound = BASE_MB * 1048576 + PER_DOC_KB * 1024 * added;
    const operations = Object.fromEntries(
      MIX.filter(([op]) => latencies.get(op)!.length > 0).map(([op]) => {
        const l = latencies.get(op)!;
        return [op, { count: l.length, per_second: round(l.length / seconds, 1), p50_ms: round(percentile(l, 50), 1), p99_ms: round(percentile(l, 99), 1), errors: errors.get(op)! }];
      }),
    );
    const total = [...latencies.values()].reduce((a, l) => a + l.length, 0);
    const errorCount = [...errors.values()].reduce((a, e) => a + Object.values(e).reduce((x, y) => x + y, 0), 0);
    const p50 = (op: Op) => percentile(latencies.get(op)!, 50);
    const result = {
      bench: 'load',
      backend,
      backend_note: modules.data?.modules?.[0]?.backendNote ?? null,
      embed_workers: Number(workers),
      clients: CLIENTS,
      seconds,
      documents_start: docs.length,
      documents_added: added,
      warm_up_seconds: WARM_UP_SECONDS,
      warm_up_documents_added: warmUpAdded,
      warm_up_rss_growth_mb: mb(rssStart - rssBeforeWarmUp),
      requests: total,
      requests_per_second: round(total / seconds, 1),
      errors: errorCount,
      operations,
      text_vs_vector_p50_ratio: latencies.get('searchVector')!.length && latencies.get('searchText')!.length ? round(p50('searchText') / p50('searchVector'), 2) : null,
      classify: classifyNote,
      vector_queries: 'random unit vectors (the API does not return stored vectors)',
      rss_start_mb: mb(rssStart),
      rss_end_mb: mb(rssEnd),
      rss_peak_mb: mb(rssPeak),
      rss_growth_mb: mb(rssEnd - rssStart),
      rss_growth_bound_mb: mb(bound),
      rss_growth_bound: `${BASE_MB} MB + ${PER_DOC_KB} KB x documents added`,
      within_bound: rssEnd - rssStart <= bound,
      // where the growth went: the main thread's V8 heap (its young generation apart: serve lets it
      // grow to 3 x 64 MB semi-spaces) and memory outside V8 held by JavaScript objects
      main_heap_growth_mb: mb(growth(memStart, memEnd, 'nodejs_heap_size_total_bytes')),
      main_young_generation_growth_mb: mb(growth(memStart, memEnd, 'nodejs_heap_space_size_total_bytes{space="new"}')),
      main_external_growth_mb: mb(growth(memStart, memEnd, 'nodejs_external_memory_bytes')),
    };
    console.log(opts.json ? JSON.stringify(result) : result);
    return result;
  } finally {
    await server.stop();
    removeDir(server.dataDir);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--seconds');
  await benchLoad({ json: process.argv.includes('--json'), seconds: at > 0 ? Number(process.argv[at + 1]) : undefined });
}
