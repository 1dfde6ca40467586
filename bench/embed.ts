/**
 * `semhub bench embed`: embedding throughput and STS-B quality of semhub's encoder against the
 * plain reference pipeline, in one run on the same machine and the same unique STS-B dev sentences.
 * - peer "tfjs-wasm-single-thread-batch32": `UniversalSentenceEncoder.embed` of
 *   @tensorflow-models/universal-sentence-encoder (its Tokenizer and sparse input), on the tfjs
 *   wasm backend in this thread, batches of 32 in file order.
 * - semhub: loadEncoder with a pool of one worker per core, length buckets, cache cleared first.
 * The sides alternate over four segments of the sentences (so both meet about the same load from
 * other processes on a shared machine), `--rounds` times (default 2); the best round of each
 * counts. Quality: the smallest cosine between the two sides' vectors of a sentence, and each
 * side's Spearman between gold score and pair cosine.
 * Then, through the public API of real servers embedding on the same backend with the same
 * workers: the ingest rate of the same sentences through `upsertDocuments` (batches of 256, 2 in
 * flight: `semhub ingest`'s defaults), on a server that never saw them, over the encoder's rate
 * above (`ingest_ratio`); and the STS-B Spearman through the `similarity` query.
 * Run directly: `npx tsx bench/embed.ts [--json] [--rounds N] [--workers N] [--budget T] [--backend B]`.
 */
import os from 'node:os';
import path from 'node:path';
import { BACKEND_PREFERENCES, type BackendPreference } from '../src/config.js';
import { fileURLToPath } from 'node:url';
import { Tokenizer, UniversalSentenceEncoder } from '@tensorflow-models/universal-sentence-encoder';
import { selectBackend } from '../src/modules/runtimes/tfjs/backends.js';
import { DEFAULT_TOKEN_BUDGET, loadEncoder } from '../src/modules/encoder.js';
import { loadGraphModelFromDir } from '../src/modules/runtimes/tfjs/file-io.js';
import { dot } from '../src/modules/similarity.js';
import { readVocabulary } from '../src/modules/text/tokenizer.js';
import { hashModuleDir } from '../src/modules/sources/hash.js';
import { bundledUseLiteDir, USE_LITE_NAME, USE_LITE_VERSION } from '../src/modules/use-lite.js';
import { loadSts, type StsPair } from './datasets.js';
import { INGEST_BATCH, INGEST_CLIENTS, ingestRateViaGraphql, stsSpearmanViaGraphql } from './similarity-graphql.js';

const PEER = 'tfjs-wasm-single-thread-batch32';
const PEER_BATCH = 32;
const SEGMENTS = 4;
/** semhub's largest embedding batch here and in the servers (SEMHUB_EMBED_BATCH's default). */
const MAX_BATCH = 64;

/** `json` prints one JSON line; the others override the defaults (2 rounds, one worker per core, DEFAULT_TOKEN_BUDGET). */
export interface BenchEmbedOptions {
  json: boolean;
  rounds?: number;
  workers?: number;
  tokenBudget?: number;
  /** semhub's backend (default onnx-cpu); the servers run on the backend it resolves to. */
  backend?: BackendPreference;
}

/** Runs the embed benchmark, prints one JSON line (or a short report) and returns the figures. */
export async function benchEmbed(opts: BenchEmbedOptions): Promise<object> {
  const pairs = loadSts('dev');
  if (!pairs) throw new Error('bench embed: STS-B dev (stsbenchmark/sts-dev.csv) is missing from the evaluation data folder');
  const sentences = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const rounds = opts.rounds ?? 2;
  const workers = opts.workers ?? (os.availableParallelism?.() ?? os.cpus().length);
  const dir = bundledUseLiteDir();
  const cacheDir = path.join(os.tmpdir(), 'semhub-bench-module-cache');

  const peerBackend = await selectBackend('wasm');
  const use = new UniversalSentenceEncoder();
  const model = await loadGraphModelFromDir(dir);
  // The reference class, given the bundled files: its load() fetches over HTTP only.
  Object.assign(use, { model, tokenizer: new Tokenizer(await readVocabulary(dir)) });
  const encoder = await loadEncoder({
    name: USE_LITE_NAME, version: USE_LITE_VERSION, dir, sha256: await hashModuleDir(dir), source: 'bundled', inputKind: 'sparse-sentencepiece',
    backend: opts.backend ?? 'onnx-cpu', workers, maxBatch: MAX_BATCH, queueMax: 1_000_000, tokenBudget: opts.tokenBudget,
    cacheDir,
  });
  const backend = encoder.info.backend;

  const peerRun = async (texts: string[]) => {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += PEER_BATCH) {
      const t = await use.embed(texts.slice(i, i + PEER_BATCH));
      const flat = (await t.data()) as Float32Array;
      t.dispose();
      for (let r = 0; r < flat.length / 512; r++) out.push(flat.slice(r * 512, (r + 1) * 512));
    }
    return out;
  };
  const semhubRun = (texts: string[]) => {
    encoder.clearCache();
    return encoder.embed(texts);
  };

  // Warm both up (first runs grow wasm memory and JIT the tokenizer); the cache is cleared per run.
  (await use.embed(sentences.slice(0, PEER_BATCH))).dispose();
  await encoder.embed(sentences.slice(0, 64));
  // Sides alternate segment by segment, so both see about the same load from other processes.
  const segments = Array.from({ length: SEGMENTS }, (_, k) =>
    sentences.slice(Math.floor((k * sentences.length) / SEGMENTS), Math.floor(((k + 1) * sentences.length) / SEGMENTS)),
  );
  const best = { peerMs: Infinity, semhubMs: Infinity, peerCpu: Infinity, semhubCpu: Infinity };
  let peerVecs: Float32Array[] = [];
  let semhubVecs: Float32Array[] = [];
  for (let r = 0; r < rounds; r++) {
    const lap = { peerMs: 0, semhubMs: 0, peerCpu: 0, semhubCpu: 0 };
    peerVecs = [];
    semhubVecs = [];
    for (const segment of segments) {
      let t0 = performance.now();
      let c0 = cpuMs();
      peerVecs.push(...(await peerRun(segment)));
      lap.peerMs += performance.now() - t0;
      lap.peerCpu += cpuMs() - c0;
      t0 = performance.now();
      c0 = cpuMs();
      semhubVecs.push(...(await semhubRun(segment)));
      lap.semhubMs += performance.now() - t0;
      lap.semhubCpu += cpuMs() - c0;
    }
    for (const k of Object.keys(best) as (keyof typeof best)[]) best[k] = Math.min(best[k], lap[k]);
  }
  const stats = encoder.stats();
  await encoder.close();
  model.dispose();

  // The servers: this run's backend (explicit, so one that cannot load fails loudly) and workers,
  // the module cache above (the same ONNX graph); the server has no token-budget setting.
  const serverEnv = { SEMHUB_BACKEND: backend, SEMHUB_EMBED_WORKERS: String(workers), SEMHUB_EMBED_BATCH: String(MAX_BATCH), SEMHUB_MODULE_CACHE: cacheDir };
  if (opts.tokenBudget !== undefined && opts.tokenBudget !== DEFAULT_TOKEN_BUDGET) {
    process.stderr.write(`bench embed: the ingest server runs at the default token budget ${DEFAULT_TOKEN_BUDGET}, not --budget ${opts.tokenBudget}\n`);
  }
  // Best of `rounds` ingests, each on a fresh server (its cache has never seen the sentences), as the encoder's best round above.
  let ingest = await ingestRateViaGraphql(sentences, serverEnv, { batch: INGEST_BATCH, clients: INGEST_CLIENTS });
  for (let r = 1; r < rounds; r++) {
    const again = await ingestRateViaGraphql(sentences, serverEnv, { batch: INGEST_BATCH, clients: INGEST_CLIENTS });
    if (again.docsPerS > ingest.docsPerS) ingest = again;
  }
  if (ingest.backend !== backend) throw new Error(`bench embed: the ingest server embedded on ${ingest.backend}, the encoder on ${backend}: the rates would not compare`);

  let minCos = Infinity;
  sentences.forEach((_, i) => (minCos = Math.min(minCos, dot(peerVecs[i]!, semhubVecs[i]!))));
  const index = new Map(sentences.map((s, i) => [s, i]));
  const semhubRate = (sentences.length / best.semhubMs) * 1000;
  const result = {
    bench: 'embed',
    peer: PEER,
    sentences: sentences.length,
    peer_sentences_per_s: round((sentences.length / best.peerMs) * 1000, 1),
    semhub_sentences_per_s: round(semhubRate, 1),
    speedup: round(best.peerMs / best.semhubMs, 2),
    min_cosine_vs_peer: round(minCos, 6),
    sts_dev_spearman: round(stsSpearman(pairs, semhubVecs, index), 4),
    peer_sts_dev_spearman: round(stsSpearman(pairs, peerVecs, index), 4),
    backend,
    backend_note: encoder.info.backendNote,
    peer_backend: peerBackend,
    workers,
    // CPU time (all threads) per sentence: the cost, whatever else the machine is running.
    peer_cpu_ms_per_sentence: round(best.peerCpu / sentences.length, 3),
    semhub_cpu_ms_per_sentence: round(best.semhubCpu / sentences.length, 3),
    // The same sentences ingested through GraphQL (stored and indexed) against the raw rate above.
    ingest_docs_per_s: round(ingest.docsPerS, 1),
    ingest_ratio: round(ingest.docsPerS / semhubRate, 3),
    ingest_seconds: round(ingest.seconds, 2),
    ingest_batch: INGEST_BATCH,
    ingest_clients: INGEST_CLIENTS,
    ingest_embedded: ingest.embedded,
    ingest_cache_hits: ingest.cacheHits,
    // The same score through the public API: the `similarity` query of a real server.
    graphql_sts_dev_spearman: round(await stsSpearmanViaGraphql(pairs, spearman, serverEnv), 4),
  };
  if (opts.json) console.log(JSON.stringify(result));
  else {
    console.log(`embed: ${result.sentences} unique STS-B dev sentences, best of ${rounds} rounds`);
    console.log(`  peer ${PEER}: ${result.peer_sentences_per_s}/s, Spearman ${result.peer_sts_dev_spearman}`);
    console.log(`  peer backend ${peerBackend}; semhub (${workers} workers, ${backend}): ${result.semhub_sentences_per_s}/s, Spearman ${result.sts_dev_spearman}, through GraphQL ${result.graphql_sts_dev_spearman}`);
    console.log(`  ingest through upsertDocuments (batches of ${INGEST_BATCH}, ${INGEST_CLIENTS} in flight): ${result.ingest_docs_per_s} docs/s, ${result.ingest_ratio} of the encoder's rate`);
    console.log(`  cpu ms per sentence: peer ${result.peer_cpu_ms_per_sentence}, semhub ${result.semhub_cpu_ms_per_sentence}`);
    console.log(`  speedup ${result.speedup}x, min cosine vs peer ${result.min_cosine_vs_peer}; ${stats.batches} batches, largest ${stats.largestBatch}`);
  }
  return result;
}

/** CPU time of this process, all threads, in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Spearman correlation between gold STS scores and the cosine of each pair's vectors. */
export function stsSpearman(pairs: StsPair[], vectors: Float32Array[], index: Map<string, number>): number {
  const gold = pairs.map((p) => p.score);
  const cos = pairs.map((p) => dot(vectors[index.get(p.a)!]!, vectors[index.get(p.b)!]!));
  return spearman(gold, cos);
}

/** Spearman's rho: Pearson correlation of ranks (ties get their average rank). */
export function spearman(x: number[], y: number[]): number {
  return pearson(ranks(x), ranks(y));
}

function ranks(v: number[]): number[] {
  const order = v.map((_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]!] === v[order[i]!]) j++;
    for (let k = i; k <= j; k++) r[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

function pearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const num = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const i = argv.indexOf('--backend');
  const backend = i >= 0 ? argv[i + 1] : undefined;
  if (backend !== undefined && !(BACKEND_PREFERENCES as readonly string[]).includes(backend)) {
    console.error(`bench embed: --backend must be one of ${BACKEND_PREFERENCES.join(', ')}, got "${backend}"`);
    process.exit(2);
  }
  await benchEmbed({ json: argv.includes('--json'), rounds: num('rounds'), workers: num('workers'), tokenBudget: num('budget'), backend: backend as BackendPreference | undefined });
}
