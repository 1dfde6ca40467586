/**
 * The vector index alone, against its peer in the same run: raw single-thread hnswlib-node
 * `searchKnn` vs the worker-based HnswIndex.search (src/index/hnsw.ts) with `callers` concurrent
 * callers, on clustered 512-d vectors (test/index/clustered.ts: random vectors have no
 * neighbourhood structure). No server, no embeddings: `semhub bench search` measures the same raw
 * peer against GraphQL over HTTP on real embeddings; this one isolates the worker hop.
 * Not part of `semhub bench`; run by hand:
 *   npx tsx bench/index-worker-qps.ts [n=50000] [callers=32] [secondsPerRound=1] [rounds=5]
 * Prints one JSON line per ef (64, 128): median QPS of each, their ratio, recall@10 against exact
 * search, single-caller p50/p99. The index is built once (m 16, efConstruction 200) and cached
 * under $TMPDIR/semhub-qps-<n>.
 */
import hnswlib from 'hnswlib-node';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactKnn } from '../src/index/brute-force.js';
import { openHnswIndex } from '../src/index/hnsw.js';
import { clusteredVectors } from '../test/index/clustered.js';
import { items, params, recall } from '../test/index/helpers.js';

const [n = 50_000, callers = 32, seconds = 1, rounds = 5] = process.argv.slice(2).map(Number);
const dims = 512;
const p = params({ efConstruction: 200 });
const dir = join(tmpdir(), `semhub-qps-${n}`);
const all = clusteredVectors({ n: n + 1000, dims, clusters: 300, noise: 1, seed: 21 });
const base = all.slice(0, n);
const queries = all.slice(n);

if (!existsSync(join(dir, 'qps.meta.json'))) {
  const t = performance.now();
  const index = await openHnswIndex({ dir, name: 'qps', params: p });
  await index.upsert(items(base));
  await index.save();
  await index.close();
  console.log(`built ${n} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const data = new Float32Array(n * dims);
base.forEach((v, i) => data.set(v, i * dims));
const truth = exactKnn(data, Int32Array.from(base, (_, i) => i), queries.slice(0, 200), 10, dims);

const raw = new hnswlib.HierarchicalNSW('cosine', dims);
raw.readIndexSync(join(dir, 'qps.hnsw'), true);
const index = await openHnswIndex({ dir, name: 'qps', params: p });
console.log(`loaded: raw ${raw.getCurrentCount()}, worker ${index.loadedFrom} ${index.size}`);

const plain = queries.map((q) => Array.from(q));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Raw: plain arrays prepared up front, one thread, one query at a time. */
function rawRound(ef: number): number {
  raw.setEf(ef);
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) raw.searchKnn(plain[done++ % plain.length]!, 10);
  return done / ((performance.now() - t0) / 1000);
}

/** Worker: `callers` concurrent loops, each awaiting one single-query search at a time. */
async function workerRound(ef: number): Promise<number> {
  let served = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      for (let i = c; performance.now() - t0 < seconds * 1000; i += callers) {
        await index.search([queries[i % queries.length]!], 10, { ef });
        served++;
      }
    }),
  );
  return served / ((performance.now() - t0) / 1000);
}

// rounds alternate raw and worker so that noise from shared cores hits both alike
for (const ef of [64, 128]) {
  const raws: number[] = [];
  const workers: number[] = [];
  for (let r = 0; r < rounds; r++) {
    raws.push(rawRound(ef));
    workers.push(await workerRound(ef));
  }
  raw.setEf(ef);
  const rawRecall = recall(plain.slice(0, 200).map((q) => raw.searchKnn(q, 10).neighbors.map((key) => ({ key, distance: 0 }))), truth);
  const workerRecall = recall(await index.search(queries.slice(0, 200), 10, { ef }), truth);
  const lat: number[] = [];
  for (const q of queries.slice(0, 200)) {
    const t = performance.now();
    await index.search([q], 10, { ef });
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      n, ef, callers, rounds,
      rawQps: Math.round(median(raws)), workerQps: Math.round(median(workers)),
      ratio: +median(raws.map((x, i) => workers[i]! / x)).toFixed(2),
      rawRecall, workerRecall,
      singleCallerP50ms: +lat[100]!.toFixed(3), singleCallerP99ms: +lat[198]!.toFixed(3),
      rawRounds: raws.map(Math.round), workerRounds: workers.map(Math.round),
    }),
  );
}
await index.close();
