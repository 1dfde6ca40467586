/**
 * `semhub bench cluster`: clustering quality and speed against scikit-learn in the same run.
 * Printed as JSON lines:
 *  1. amazon-reviews: the 8,000 Amazon multi-domain reviews (gold = product type, k = 4), real
 *     USE-lite embeddings (cached, bench/embed-cache.ts) stored directly, then clustered THROUGH
 *     GRAPHQL (clusterCollection with evaluateAgainst "product", polled until SUCCEEDED) vs
 *     scikit-learn KMeans(n_clusters=4, n_init=10) on the same embeddings: NMI (ratio =
 *     semhub / sklearn), ARI, the job's wall time and sklearn's fit time, the 4 cluster labels;
 *     and the cluster map: the 10-nearest-neighbour agreement with the product type of the 2D
 *     positions the job stored (Clustering.points) next to the same figure in the 512-d vectors
 *     (aim >= 0.8 in 2D);
 *  2. random-lloyd / random-minibatch: 100,000 x 512 seeded Gaussian vectors, k = 20: src/ml
 *     k-means (runKmeansInWorker, as the server runs it) vs scikit-learn KMeans (lloyd, n_init=1)
 *     and MiniBatchKMeans (batch 1024, n_init=1): wall seconds (ratio = semhub / sklearn), CPU
 *     seconds over all threads, iterations and inertia.
 * The peer is skipped with a message where python3 / scikit-learn are absent.
 * Run directly: `npx tsx bench/cluster.ts [--json] [--skip-amazon] [--skip-random] [--random-rows N]`.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterMetrics } from '../src/ml/cluster-metrics.js';
import { neighbourAgreement } from '../src/ml/projection/neighbour-agreement.js';
import { createRng } from '../src/ml/prng.js';
import { runKmeansInWorker } from '../src/ml/kmeans/run-in-worker.js';
import { HNSW_DEFAULTS } from '../src/services/collections.js';
import { normalizeRows } from '../src/vectors.js';
import { sha256 } from '../src/sha256.js';
import { openStore } from '../src/store/open.js';
import type { DocumentWrite } from '../src/store/types.js';
import { loadAmazonReviews } from './datasets.js';
import { benchCacheDir, cachedEmbeddings } from './embed-cache.js';
import { gql, removeDir, startServerProcess, waitIndexed } from './server-process.js';
import { runSklearnKmeans, sklearnMissing } from './sklearn-peer.js';

const SEED = 0;
const AMAZON_K = 4;
const AMAZON_RESTARTS = 10;
const RANDOM = { n: 100_000, dims: 512, k: 20, seed: 42, batch: 1024 };
/** Neighbours of the map's agreement figure, and the issue's aim for it in 2D. */
const MAP_K = 10;
const MAP_AIM = 0.8;

export interface BenchClusterOptions {
  json: boolean;
  skipAmazon?: boolean;
  skipRandom?: boolean;
  /** Rows of the random part (default 100,000; smaller for a quick check). */
  randomRows?: number;
}

type Emit = (line: object) => void;
const log = (m: string) => process.stderr.write(`bench cluster: ${m}\n`);
const round = (v: number | null | undefined, digits = 4) => (v == null ? null : Number(v.toFixed(digits)));

/** Runs the cluster benchmark and returns its JSON lines. */
export async function benchCluster(opts: BenchClusterOptions): Promise<object[]> {
  const lines: object[] = [];
  const emit: Emit = (line) => {
    lines.push(line);
    console.log(opts.json ? JSON.stringify(line) : line);
  };
  const missing = sklearnMissing();
  if (missing) log(`scikit-learn peer skipped: ${missing}`);
  if (!opts.skipAmazon) await amazon(emit, missing);
  if (!opts.skipRandom) await random(emit, missing, opts.randomRows ?? RANDOM.n);
  return lines;
}

async function amazon(emit: Emit, peerMissing: string | null): Promise<void> {
  const reviews = loadAmazonReviews();
  if (!reviews) {
    emit({ bench: 'cluster', part: 'amazon-reviews', skipped: 'amazon_multidomain is missing from the evaluation data folder' });
    return;
  }
  const texts = reviews.map((r) => r.text);
  const gold = reviews.map((r) => r.domain);
  log(`${texts.length} reviews; embedding (cached under ${benchCacheDir()})`);
  const { vectors, dims, module } = await cachedEmbeddings(texts, log);

  // Store the cached vectors directly (this bench measures clustering, not ingest).
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'semhub-bench-cluster-'));
  const store = await openStore({ dataDir });
  const c = await store.createCollection({ name: 'reviews', module, metric: 'cosine', hnsw: { ...HNSW_DEFAULTS } });
  for (let s = 0; s < texts.length; s += 2000) {
    const writes: DocumentWrite[] = texts.slice(s, s + 2000).map((text, j) => ({
      id: `r${s + j}`, text, metadata: { product: gold[s + j]!, stars: reviews[s + j]!.rating },
      contentHash: sha256(text), vector: vectors.subarray((s + j) * dims, (s + j + 1) * dims),
    }));
    await store.upsertDocuments(c.key, writes);
  }
  await store.close();

  const server = await startServerProcess({ dataDir, env: { SEMHUB_EMBED_WORKERS: '1' } });
  let job: { seconds: number; clustering: AmazonResult };
  try {
    await waitIndexed(server.url, 'reviews', 500);
    log('index ready; clustering through GraphQL');
    job = await clusterViaGraphql(server.url);
  } finally {
    await server.stop();
    removeDir(dataDir);
  }
  const q = job.clustering.quality;
  log(`semhub: NMI ${q.nmi.toFixed(3)} in ${job.seconds.toFixed(1)} s; labels ${JSON.stringify(job.clustering.clusters.map((cl) => cl.label))}`);
  const map = mapAgreement(job.clustering, vectors, dims, gold);
  log(`map: ${MAP_K}-NN product agreement ${map.map.toFixed(3)} in 2D, ${map.vectors.toFixed(3)} in ${dims}-d`);

  // src/ml alone on the same rows and options, for the share of the job that is k-means.
  const t0 = performance.now();
  await runKmeansInWorker(vectors, texts.length, dims, { k: AMAZON_K, seed: SEED, restarts: AMAZON_RESTARTS });
  const kmeansSeconds = (performance.now() - t0) / 1000;

  let peer: { nmi: number; ari: number; seconds: number; cpu_seconds: number; sklearn: string } | null = null;
  if (!peerMissing) {
    log('scikit-learn KMeans(n_clusters=4, n_init=10) on the same embeddings');
    const r = runSklearnKmeans(vectors, texts.length, dims, { k: AMAZON_K, seed: SEED, nInit: AMAZON_RESTARTS });
    const m = clusterMetrics(gold, r.labels);
    peer = { nmi: m.nmi, ari: m.ari, seconds: r.seconds, cpu_seconds: r.cpu_seconds, sklearn: r.sklearn };
  }
  emit({
    bench: 'cluster', part: 'amazon-reviews', documents: texts.length, dims, k: AMAZON_K, restarts: AMAZON_RESTARTS, seed: SEED,
    gold: 'product type (books, dvd, electronics, kitchen)',
    peer: peer ? `scikit-learn ${peer.sklearn} KMeans(n_clusters=4, n_init=10, lloyd)` : `skipped: ${peerMissing}`,
    ratio_of: 'nmi (semhub / sklearn)',
    ratio: peer ? round(q.nmi / peer.nmi, 3) : null,
    semhub_nmi: round(q.nmi), sklearn_nmi: round(peer?.nmi), semhub_ari: round(q.ari), sklearn_ari: round(peer?.ari),
    semhub_v_measure: round(q.vMeasure), silhouette: round(q.silhouette),
    semhub_job_seconds: round(job.seconds, 2), semhub_kmeans_seconds: round(kmeansSeconds, 2),
    sklearn_seconds: round(peer?.seconds, 2), sklearn_cpu_seconds: round(peer?.cpu_seconds, 2),
    labels: job.clustering.clusters.map((cl) => cl.label),
    sizes: job.clustering.clusters.map((cl) => cl.size),
    projection: job.clustering.projection,
    [`map_knn${MAP_K}_agreement`]: round(map.map), [`vectors_knn${MAP_K}_agreement`]: round(map.vectors), map_aim: MAP_AIM,
  });
}

/** The 10-NN product agreement of the stored 2D positions and of the (normalised) vectors. */
function mapAgreement(c: AmazonResult, vectors: Float32Array, dims: number, gold: string[]): { map: number; vectors: number } {
  const n = gold.length;
  const xy = new Float32Array(2 * n);
  const seen = new Set<number>();
  for (const p of c.points.nodes) {
    const i = Number(p.documentId.slice(1));
    xy[2 * i] = p.x;
    xy[2 * i + 1] = p.y;
    seen.add(i);
  }
  if (seen.size !== n) throw new Error(`the map holds ${seen.size} of ${n} documents`);
  const unit = vectors.slice();
  normalizeRows(unit, dims);
  return { map: neighbourAgreement(xy, n, 2, gold, MAP_K), vectors: neighbourAgreement(unit, n, dims, gold, MAP_K) };
}

interface AmazonResult {
  quality: { nmi: number; ari: number; vMeasure: number; silhouette: number };
  clusters: { label: string; size: number; keywords: string[] }[];
  projection: { method: string; sampleSize: number; neighbors: number; seed: number };
  points: { nodes: { documentId: string; x: number; y: number }[] };
}

/** clusterCollection through GraphQL, polled until SUCCEEDED; wall seconds from the mutation to the result. */
async function clusterViaGraphql(url: string): Promise<{ seconds: number; clustering: AmazonResult }> {
  const t0 = performance.now();
  const started = await gql(url, `mutation($k: Int!, $seed: Int!, $r: Int!) {
    clusterCollection(collection: "reviews", k: $k, seed: $seed, restarts: $r, evaluateAgainst: "product") { id } }`, { k: AMAZON_K, seed: SEED, r: AMAZON_RESTARTS });
  if (started.errors) throw new Error(`clusterCollection failed: ${JSON.stringify(started.errors)}`);
  const id = started.data.clusterCollection.id as string;
  for (;;) {
    const r = await gql(url, `query($id: ID!) { clustering(id: $id) { status error } }`, { id });
    const { status, error } = r.data.clustering;
    if (status === 'FAILED') throw new Error(`clustering failed: ${error}`);
    if (status === 'SUCCEEDED') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  const done = await gql(url, `query($id: ID!) { clustering(id: $id) {
    quality { nmi ari vMeasure silhouette } clusters { label size keywords }
    projection { method sampleSize neighbors seed } points(first: 10000) { nodes { documentId x y } } } }`, { id });
  return { seconds, clustering: done.data.clustering };
}

/** n x dims standard normal floats from the seeded PRNG (Box-Muller). */
function gaussian(n: number, dims: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n * dims);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const t = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

async function random(emit: Emit, peerMissing: string | null, n: number): Promise<void> {
  const { dims, k, seed, batch } = RANDOM;
  const data = gaussian(n, dims, seed);
  for (const mode of ['lloyd', 'minibatch'] as const) {
    log(`random ${n} x ${dims}, k=${k}, ${mode}: src/ml runKmeansInWorker`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const ours = await runKmeansInWorker(data, n, dims, { k, seed, restarts: 1, miniBatch: mode === 'minibatch' ? batch : false });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    let peer: ReturnType<typeof runSklearnKmeans> | null = null;
    if (!peerMissing) {
      log(`random ${mode}: scikit-learn`);
      peer = runSklearnKmeans(data, n, dims, { k, seed, nInit: 1, minibatch: mode === 'minibatch' ? batch : undefined });
    }
    emit({
      bench: 'cluster', part: `random-${mode}`, n, dims, k, seed, restarts: 1,
      peer: peer ? `scikit-learn ${peer.sklearn} ${mode === 'lloyd' ? 'KMeans(n_init=1, lloyd)' : `MiniBatchKMeans(batch_size=${batch}, n_init=1)`}` : `skipped: ${peerMissing}`,
      ratio_of: 'wall seconds (semhub / sklearn; below 1 is faster)',
      ratio: peer ? round(seconds / peer.seconds, 3) : null,
      semhub_seconds: round(seconds, 2), sklearn_seconds: round(peer?.seconds, 2),
      semhub_cpu_seconds: round((cpu.user + cpu.system) / 1e6, 2), sklearn_cpu_seconds: round(peer?.cpu_seconds, 2),
      semhub_threads: Math.min(2, os.availableParallelism()), sklearn_threads: peer?.threads ?? null,
      semhub_iterations: ours.iterations, sklearn_iterations: peer?.iterations ?? null,
      semhub_inertia: round(ours.inertia, 1), sklearn_inertia: round(peer?.inertia, 1),
      inertia_ratio: peer ? round(ours.inertia / peer.inertia, 4) : null,
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const rows = args.indexOf('--random-rows');
  benchCluster({
    json: args.includes('--json'), skipAmazon: args.includes('--skip-amazon'), skipRandom: args.includes('--skip-random'),
    randomRows: rows >= 0 ? Number(args[rows + 1]) : undefined,
  }).then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
