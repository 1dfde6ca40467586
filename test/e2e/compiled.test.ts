import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goneWithin, running } from '../support/processes.js';
import { COMPILED_CLI, gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

/**
 * What users run: the compiled CLI in dist/ (`npm start`, the Dockerfiles), built here first when
 * dist/ is missing or older than src/ (CI's `npm ci` builds it through the prepare script). The
 * other e2e tests run src/ under tsx; this one covers what differs once compiled: every worker
 * thread kind starts from its `.js` sibling (embedding, HNSW, k-means, ml thread, training), the
 * files src/ reads at run time (schema/, migrations/, the bundled module) are found from dist/,
 * the ONNX graph is built and checked on a fresh module cache, the tfjs fallback runs, `semhub
 * ingest` and `semhub bench` run from the compiled CLI, and bin/semhub.js leaves nothing behind
 * when it is SIGKILLed.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

/** True when dist/ holds a build at least as new as every source file. */
function distIsCurrent(): boolean {
  if (!existsSync(COMPILED_CLI)) return false;
  const built = statSync(COMPILED_CLI).mtimeMs;
  const src = path.join(ROOT, 'src');
  return !readdirSync(src, { recursive: true }).some((f) => String(f).endsWith('.ts') && statSync(path.join(src, String(f))).mtimeMs > built);
}

const PETS = Array.from({ length: 20 }, (_, i) => `${['My dog', 'The kitten', 'Our parrot', 'A hamster', 'The puppy'][i % 5]} ${['chased a ball in the yard', 'slept all afternoon on the sofa', 'ate its food too fast', 'played with the children'][i % 4]}`);
const MONEY = Array.from({ length: 20 }, (_, i) => `${['The bank', 'My savings account', 'The stock market', 'Our mortgage lender', 'The credit card company'][i % 5]} ${['raised interest rates again', 'lost value this quarter', 'charged a new monthly fee', 'paid out a dividend'][i % 4]}`);
const DOCS = [...PETS.map((text, i) => ({ id: `pet-${i}`, text, metadata: { topic: 'pets' } })), ...MONEY.map((text, i) => ({ id: `money-${i}`, text, metadata: { topic: 'money' } }))];
const SIMILARITY = `{ similarity(a: ["a cat sleeps in the sun"], b: ["a dog naps on the porch", "the stock market fell"]) modules { backend } }`;

let server: ServerProcess;
let moduleCache: string;

beforeAll(async () => {
  if (!distIsCurrent()) {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'bin/build.js')], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  }
  // a fresh module cache: the first start builds the ONNX graph and checks it against tfjs
  moduleCache = mkdtempSync(path.join(os.tmpdir(), 'semhub-compiled-cache-'));
  server = await startServerProcess({ compiled: true, env: { SEMHUB_MODULE_CACHE: moduleCache } });
}, 300_000);

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
  if (moduleCache) removeDir(moduleCache);
});

describe('the compiled server (dist/)', () => {
  it('builds the ONNX graph, checks it against tfjs and answers a similarity query', async () => {
    expect(server.logs.join('')).toContain('ONNX graph built and checked against tfjs');
    const r = await gql(server.url, SIMILARITY);
    expect(r.errors).toBeUndefined();
    expect(r.data.modules[0].backend).toMatch(/^onnx-/);
    const [pet, market] = (r.data.similarity as number[][])[0]!;
    expect(pet).toBeGreaterThan(market! + 0.2);
  });

  it('upserts, indexes and searches (schema, migrations, embedding and HNSW workers)', async () => {
    expect((await gql(server.url, 'mutation { createCollection(name: "c") { name } }')).errors).toBeUndefined();
    const up = await gql(server.url, 'mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "c", documents: $d) { upserted errors { message } } }', { d: DOCS });
    expect(up.data.upsertDocuments).toEqual({ upserted: DOCS.length, errors: [] });
    const hits = await gql(server.url, '{ search(collection: "c", text: "a sleepy cat on the couch", limit: 3) { score document { id } } }');
    expect(hits.errors).toBeUndefined();
    expect(hits.data.search.map((h: { document: { id: string } }) => h.document.id)).toEqual([expect.stringMatching(/^pet-/), expect.stringMatching(/^pet-/), expect.stringMatching(/^pet-/)]);
  });

  it('clusters in its k-means and ml worker threads', async () => {
    const started = await gql(server.url, 'mutation { clusterCollection(collection: "c", k: 2, seed: 1) { id } }');
    expect(started.errors).toBeUndefined();
    const id = started.data.clusterCollection.id as string;
    for (const until = Date.now() + 60_000; Date.now() < until; ) {
      const r = await gql(server.url, 'query($id: ID!) { clustering(id: $id) { status error clusters { size } quality { silhouette } } }', { id });
      const c = r.data.clustering;
      if (c.status === 'FAILED') throw new Error(`clustering failed: ${c.error}`);
      if (c.status === 'SUCCEEDED') {
        expect(c.clusters.reduce((n: number, k: { size: number }) => n + k.size, 0)).toBe(DOCS.length);
        expect(c.quality.silhouette).toBeTypeOf('number');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('clustering did not finish in 60 s');
  });

  it('trains a classifier head in its training thread and classifies', async () => {
    const trained = await gql(server.url, 'mutation { trainClassifier(collection: "c", name: "topic", labelKey: "topic", seed: 1) { labels } }');
    expect(trained.errors).toBeUndefined();
    expect(trained.data.trainClassifier.labels).toEqual(['money', 'pets']);
    const r = await gql(server.url, '{ classify(collection: "c", classifier: "topic", texts: ["the kitten chased a ball", "the bank raised its fees"]) { label } }');
    expect(r.errors).toBeUndefined();
    expect(r.data.classify.map((p: { label: string }) => p.label)).toEqual(['pets', 'money']);
  });

  it('runs `semhub ingest` compiled', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'semhub-compiled-ingest-'));
    try {
      const file = path.join(dir, 'docs.jsonl');
      writeFileSync(file, ['one', 'two', 'three'].map((w, i) => JSON.stringify({ id: `i${i}`, text: `Document number ${w}.` })).join('\n'));
      const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/semhub.js'), 'ingest', 'ingested', file, '--create', '--json', '--url', server.url], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({ written: 3, failed: 0 });
    } finally {
      removeDir(dir);
    }
  });

  it('runs `semhub bench` compiled, which starts bench/main.ts under tsx', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/semhub.js'), 'bench', 'search', '--seconds=abc'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toContain('semhub bench: --seconds must be a positive number, got "abc"');
    expect(run.status).toBe(2);
  });

  it('falls back to tfjs (wasm) compiled, with the same similarities', async () => {
    const onnx = (await gql(server.url, SIMILARITY)).data.similarity as number[][];
    const wasm = await startServerProcess({ compiled: true, env: { SEMHUB_MODULE_CACHE: moduleCache, SEMHUB_BACKEND: 'wasm' } });
    try {
      const r = await gql(wasm.url, SIMILARITY);
      expect(r.errors).toBeUndefined();
      expect(r.data.modules[0].backend).toBe('wasm');
      (r.data.similarity as number[][])[0]!.forEach((s, j) => expect(s).toBeCloseTo(onnx[0]![j]!, 4));
    } finally {
      await wasm.stop();
      removeDir(wasm.dataDir);
    }
  });

  it('leaves nothing running when bin/semhub.js is killed with SIGKILL', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'semhub-compiled-bin-'));
    let wrapper: ChildProcess | undefined;
    let serverPid: number | undefined;
    try {
      wrapper = spawn(process.execPath, [path.join(ROOT, 'bin/semhub.js'), 'serve', '--port', '0', '--data', dataDir], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'production', SEMHUB_EMBED_WORKERS: '1', SEMHUB_MODULE_CACHE: moduleCache },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const onData = (c: Buffer) => {
          out += c.toString();
          if (out.includes('semhub listening on')) resolve();
        };
        wrapper!.stdout!.on('data', onData);
        wrapper!.stderr!.on('data', onData);
        wrapper!.once('exit', (code) => reject(new Error(`bin/semhub.js exited with ${code} before listening:\n${out}`)));
      });
      // the server is the wrapper's child; its log lines carry its pid
      serverPid = Number(/"pid":(\d+)/.exec(out)![1]);
      expect(serverPid).not.toBe(wrapper.pid);
      expect(running(serverPid)).toBe(true);
      wrapper.kill('SIGKILL');
      expect(await goneWithin(serverPid, 10_000), 'the server outlived bin/semhub.js by 10 s').not.toBeNull();
      expect(out).toContain('the process that started this one is gone: stopping');
    } finally {
      if (wrapper && wrapper.exitCode === null && wrapper.signalCode === null) wrapper.kill('SIGKILL');
      if (serverPid && running(serverPid)) process.kill(serverPid, 'SIGKILL');
      removeDir(dataDir);
    }
  });
});
