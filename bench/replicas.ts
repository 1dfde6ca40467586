/**
 * `semhub bench replicas`: scale-out on PostgreSQL (issue 13). A throwaway PostgreSQL
 * (bench/postgres.ts: SEMHUB_TEST_DATABASE_URL, else a cluster from the local binaries), three
 * `semhub serve` processes on one database (each its own data directory, one embedding worker,
 * the default 500 ms poll behind LISTEN/NOTIFY), one collection of 300 real Amazon reviews. Then:
 * - write-to-visible lag: WRITES single-review upserts, each through process i % 3; from the
 *   write's acknowledgement, process (i + 1) % 3 searches for the review's text without afterSeq,
 *   back to back, until the review is the top hit: the lag is acknowledgement to the answer of
 *   that search (an upper bound: it includes one search round trip, whose p50 the JSON gives
 *   too). p50, p99, max;
 * - read your writes: for each write, process (i + 2) % 3 searches once with afterSeq = the
 *   write's seq; a miss is an answer without the review on top, or an error (target 0);
 * - search QPS: CLIENTS concurrent clients, each a keep-alive connection, search by text (a pool of
 *   200 held-out reviews, so after the first round the encoders answer from their caches and the
 *   figure is the index and the HTTP/GraphQL path) for `seconds` (default 10) against process 0
 *   alone, then round-robin over all three; the ratio is three over one. Every process runs on
 *   the same machine, so the ratio is bounded by its cores (the JSON gives them), not by semhub.
 * Prints one JSON object (one line with --json). Targets: lag p99 < 1 s, 0 afterSeq misses.
 * Run directly: `npx tsx bench/replicas.ts [--json] [--seconds 10]`.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAmazonReviews } from './datasets.js';
import { leanClient } from './http-client.js';
import { createTestDatabase, startPostgres } from './postgres.js';
import { percentile, round } from './retrieval-metrics.js';
import { gql, removeDir, startServerProcess, type ServerProcess } from './server-process.js';

const PROCESSES = 3;
const SEED_DOCS = 300;
const WRITES = 150;
const QUERIES = 200;
const CLIENTS = 12;
const LAG_TARGET_MS = 1000;
const SEARCH_LIMIT = 10;

const UPSERT = `mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "replicas", documents: $d) { seq errors { code message } } }`;
const SEARCH = `query($t: String!, $s: Int) { search(collection: "replicas", text: $t, limit: ${SEARCH_LIMIT}, afterSeq: $s) { document { id } } }`;

export interface BenchReplicasOptions {
  json: boolean;
  seconds?: number;
}

const log = (m: string) => process.stderr.write(`bench replicas: ${m}\n`);

/** Upserts `docs` through `p`; the seq it committed. */
async function upsert(p: ServerProcess, docs: { id: string; text: string }[]): Promise<number> {
  const r = await gql(p.url, UPSERT, { d: docs });
  if (r.errors || r.data.upsertDocuments.errors.length) throw new Error(`upsert failed: ${JSON.stringify(r.errors ?? r.data.upsertDocuments.errors)}`);
  return r.data.upsertDocuments.seq;
}

/** The id of the top hit of a search for `text` on `p` (with `afterSeq` when given); null for an error or no hit. */
async function topHit(p: ServerProcess, text: string, afterSeq?: number): Promise<string | null> {
  const r = await gql(p.url, SEARCH, { t: text, s: afterSeq });
  return r.errors ? null : (r.data.search[0]?.document.id ?? null);
}

/** Searches per second of CLIENTS clients for `seconds`, client c sending to `urls[c % urls.length]`. */
async function searchQps(urls: string[], queries: string[], seconds: number): Promise<{ qps: number; errors: number }> {
  const bodies = queries.map((t) => Buffer.from(JSON.stringify({ query: SEARCH, variables: { t } })));
  const clients = urls.map((u) => leanClient(u, CLIENTS));
  let done = 0;
  let errors = 0;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    const client = clients[c % clients.length]!;
    for (let n = c; Date.now() < deadline; n += CLIENTS) {
      const text = await client.post(bodies[n % bodies.length]!);
      if (text.includes('"errors"')) errors++;
      else done++;
    }
  }));
  for (const c of clients) c.close();
  return { qps: (done * 1000) / (Date.now() - started), errors };
}

/** Runs the replicas benchmark and returns its JSON object. */
export async function benchReplicas(opts: BenchReplicasOptions): Promise<object> {
  const seconds = opts.seconds ?? 10;
  // other work on the machine shares its cores with the three processes: say how busy it was
  const loadAtStart = os.loadavg()[0]!;
  const reviews = loadAmazonReviews();
  if (!reviews) throw new Error('bench replicas needs the Amazon reviews of the shared data (../shared/data/amazon_multidomain)');
  const texts = [...new Set(reviews.map((r) => r.text.slice(0, 300).replace(/\s+\S*$/, '')))];
  const step = Math.floor(texts.length / (SEED_DOCS + WRITES + QUERIES));
  const pick = (from: number, n: number) => Array.from({ length: n }, (_, i) => texts[(from + i) * step]!);
  const seed = pick(0, SEED_DOCS).map((text, i) => ({ id: `s${i}`, text }));
  const writes = pick(SEED_DOCS, WRITES).map((text, i) => ({ id: `w${i}`, text }));
  const queries = pick(SEED_DOCS + WRITES, QUERIES);

  const postgres = await startPostgres();
  if (!postgres.info.url) throw new Error(`bench replicas needs PostgreSQL: ${postgres.info.reason}`);
  const db = await createTestDatabase(postgres.info.url, 'semhub_bench_replicas');
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'semhub-bench-replicas-'));
  const procs: ServerProcess[] = [];
  try {
    // one module cache for the three (unless SEMHUB_MODULE_CACHE names one): the first start builds the ONNX graph, the others reuse it
    const env = { SEMHUB_DATABASE_URL: db.url, SEMHUB_MODULE_CACHE: process.env.SEMHUB_MODULE_CACHE ?? path.join(cacheDir, 'modules') };
    procs.push(await startServerProcess({ env }));
    procs.push(...(await Promise.all(Array.from({ length: PROCESSES - 1 }, () => startServerProcess({ env })))));
    log(`${PROCESSES} servers on ${postgres.info.reason}; writing ${seed.length} reviews round-robin`);
    await gql(procs[0]!.url, 'mutation { createCollection(name: "replicas") { name } }');
    for (let i = 0; i < seed.length; i += 50) await upsert(procs[(i / 50) % PROCESSES]!, seed.slice(i, i + 50));
    // every process opens its index and warms its encoder before anything is timed
    for (const p of procs) await topHit(p, queries[0]!, await upsert(p, []).catch(() => 0));

    log(`${WRITES} writes: lag to the first search on another process that finds it, and afterSeq reads on a third`);
    const lags: number[] = [];
    const roundTrips: number[] = [];
    let afterSeqMisses = 0;
    let notVisible = 0;
    for (const [i, doc] of writes.entries()) {
      const [writer, reader, waiter] = [0, 1, 2].map((k) => procs[(i + k) % PROCESSES]!);
      const seq = await upsert(writer!, [doc]);
      const acked = performance.now();
      let lag: number | null = null;
      while (lag === null && performance.now() - acked < 10_000) {
        const sent = performance.now();
        const found = (await topHit(reader!, doc.text)) === doc.id;
        roundTrips.push(performance.now() - sent);
        if (found) lag = performance.now() - acked;
      }
      if (lag === null) notVisible++;
      else lags.push(lag);
      if ((await topHit(waiter!, doc.text, seq)) !== doc.id) afterSeqMisses++;
    }

    log(`search QPS, ${CLIENTS} clients, ${seconds} s each: one process, then three round-robin`);
    await searchQps(procs.map((p) => p.url), queries, 2); // the encoders' caches learn the queries
    const one = await searchQps([procs[0]!.url], queries, seconds);
    const three = await searchQps(procs.map((p) => p.url), queries, seconds);

    const p99 = percentile(lags, 99);
    const result = {
      bench: 'replicas',
      store: 'postgres',
      processes: PROCESSES,
      cores: os.availableParallelism?.() ?? os.cpus().length,
      load_average_1m: round(loadAtStart, 2),
      documents: seed.length + writes.length,
      index_poll_ms: 500,
      visibility_lag_ms: {
        writes: writes.length, p50: round(percentile(lags, 50), 1), p99: round(p99, 1), max: round(Math.max(...lags), 1),
        search_round_trip_p50: round(percentile(roundTrips, 50), 1), not_visible_in_10s: notVisible,
      },
      after_seq: { searches: writes.length, misses: afterSeqMisses },
      search_qps: { clients: CLIENTS, seconds, query: `text, ${QUERIES} distinct reviews, limit ${SEARCH_LIMIT}`, one_process: round(one.qps, 1), three_processes: round(three.qps, 1), ratio: round(three.qps / one.qps, 2), errors: one.errors + three.errors },
      targets: { visibility_lag_p99_ms: LAG_TARGET_MS, after_seq_misses: 0 },
      pass: notVisible === 0 && p99 < LAG_TARGET_MS && afterSeqMisses === 0,
    };
    console.log(opts.json ? JSON.stringify(result) : result);
    return result;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    for (const p of procs) removeDir(p.dataDir);
    removeDir(cacheDir);
    await db.drop().catch(() => undefined);
    await postgres.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--seconds');
  await benchReplicas({ json: process.argv.includes('--json'), seconds: at > 0 ? Number(process.argv[at + 1]) : undefined });
}
