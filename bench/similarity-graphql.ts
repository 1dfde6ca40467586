/**
 * The GraphQL side of `semhub bench embed`, each on its own real semhub server (a child process on
 * a temp data folder, killed whatever happens):
 * - STS-B dev Spearman measured the way a user would get it: the `similarity` query over HTTP
 *   (pairs sent in chunks; the diagonal of each a x b matrix is the pair's cosine);
 * - the ingest rate of a list of texts through `upsertDocuments`, sent the way `semhub ingest`
 *   sends them (its batch client: a `documentsById` look-up, then the upsert).
 */
import { GraphQLClient } from '../src/cli/ingest/client.js';
import { sendBatch, type Pending } from '../src/cli/ingest/batch.js';
import type { StsPair } from './datasets.js';
import { gql, metricSums, removeDir, startServerProcess, type ServerProcess } from './server-process.js';

const CHUNK = 250;
/** `semhub ingest`'s defaults (--batch 256, --concurrency 2). */
export const INGEST_BATCH = 256;
export const INGEST_CLIENTS = 2;
const COLLECTION = 'bench-ingest';
/** Batches of the warm-up ingest before the timed one (see ingestRateViaGraphql). */
const WARM_UP_BATCHES = 8;

/** Runs `body` against a fresh server started with `env`, then stops it and removes its data. */
async function withServer<T>(env: Record<string, string>, body: (server: ServerProcess) => Promise<T>): Promise<T> {
  const server = await startServerProcess({ env });
  try {
    return await body(server);
  } finally {
    await server.stop();
    removeDir(server.dataDir);
  }
}

/** STS-B Spearman through the `similarity` query of a server started with `env` (default: one embedding worker). */
export async function stsSpearmanViaGraphql(pairs: StsPair[], spearman: (x: number[], y: number[]) => number, env: Record<string, string> = {}): Promise<number> {
  return withServer({ SEMHUB_EMBED_WORKERS: '1', ...env }, async (server) => {
    const cos: number[] = [];
    for (let i = 0; i < pairs.length; i += CHUNK) {
      const part = pairs.slice(i, i + CHUNK);
      const r = await gql(server.url, `query($a: [String!]!, $b: [String!]!) { similarity(a: $a, b: $b) }`, {
        a: part.map((p) => p.a),
        b: part.map((p) => p.b),
      });
      if (!r.data) throw new Error(`similarity failed: ${JSON.stringify(r.errors)}`);
      const m = r.data.similarity as number[][];
      part.forEach((_, j) => cos.push(m[j]![j]!));
    }
    return spearman(pairs.map((p) => p.score), cos);
  });
}

export interface IngestRate {
  docsPerS: number;
  seconds: number;
  /** The server's encoder backend (`modules { backend }`). */
  backend: string;
  /** Texts the server's encoder ran during the timed ingest, and texts its vector cache answered. */
  embedded: number;
  cacheHits: number;
}

/**
 * Ingests `texts` (ids `t0`, `t1`, ...) into a new collection of a fresh server started with `env`:
 * `clients` requests of `batch` documents in flight, timed from the first request to the last
 * acknowledgement (an upsert answers once its documents are stored and indexed). Before that, a
 * warm-up ingest of made-up texts into another collection ({@link WARM_UP_BATCHES} batches, sent
 * the same way) brings the server to its steady state, as the encoder's best round is: after one
 * or two batches much of the write path still ran in V8's baseline tier and the compiler threads
 * took about 3% of the CPU during the timed ingest. The server's counters show how many texts it
 * embedded and how many its vector cache answered.
 */
export async function ingestRateViaGraphql(
  texts: string[],
  env: Record<string, string>,
  opts: { batch?: number; clients?: number } = {},
): Promise<IngestRate> {
  const batch = opts.batch ?? INGEST_BATCH;
  const clients = opts.clients ?? INGEST_CLIENTS;
  return withServer(env, async (server) => {
    const client = new GraphQLClient({ url: server.url });
    const modules = await client.request<{ modules: { backend: string | null }[] }>('{ modules { backend } }');
    const warm = Array.from({ length: WARM_UP_BATCHES * batch }, (_, i) => ({ line: i + 1, doc: { id: `w${i}`, text: `warm-up document ${i}: ${'lorem ipsum '.repeat(1 + (i % 7))}` } }));
    for (const name of ['bench-warm-up', COLLECTION]) await client.request('mutation($n: String!) { createCollection(name: $n) { name } }', { n: name });
    await Promise.all(Array.from({ length: clients }, async (_, c) => {
      for (let at = c * batch; at < warm.length; at += clients * batch) await sendBatch(client, 'bench-warm-up', warm.slice(at, at + batch), true);
    }));

    const before = await encoderCounters(server.base);
    const batches: Pending[][] = [];
    for (let i = 0; i < texts.length; i += batch) batches.push(texts.slice(i, i + batch).map((text, j) => ({ line: i + j + 1, doc: { id: `t${i + j}`, text } })));
    let next = 0;
    let written = 0;
    let failed = false;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        try {
          while (!failed && next < batches.length) {
            const outcome = await sendBatch(client, COLLECTION, batches[next++]!, true);
            if (outcome.errors.length) throw new Error(`ingest failed: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
            written += outcome.written;
          }
        } catch (e) {
          failed = true; // the other clients stop at their next batch
          throw e;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = await encoderCounters(server.base);
    if (written !== texts.length) throw new Error(`ingest wrote ${written} of ${texts.length} documents`);
    return {
      docsPerS: texts.length / seconds,
      seconds,
      backend: modules.modules[0]?.backend ?? 'unknown',
      embedded: after.embedded - before.embedded,
      cacheHits: after.cacheHits - before.cacheHits,
    };
  });
}

/** The server's embedding counters (all modules) from /metrics. */
async function encoderCounters(base: string): Promise<{ embedded: number; cacheHits: number }> {
  const sums = await metricSums(base);
  return { embedded: sums.get('semhub_embed_sentences_total') ?? 0, cacheHits: sums.get('semhub_embed_cache_hits_total') ?? 0 };
}
