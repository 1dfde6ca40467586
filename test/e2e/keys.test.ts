import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

const READ = 'read-key-0123456789abcdef';
const WRITE = 'write-key-0123456789abcdef';
const ADMIN = 'admin-key-0123456789abcdef';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

let server: ServerProcess;

/** Each mutation with the lowest scope allowed to run it. */
const MUTATIONS: [string, string, 'write' | 'admin'][] = [
  ['createCollection', 'mutation { createCollection(name: "other") { name } }', 'admin'],
  ['deleteCollection', 'mutation { deleteCollection(name: "other") }', 'admin'],
  ['loadModule', 'mutation { loadModule(name: "m", version: "1", source: "/nowhere") { name } }', 'admin'],
  ['upsertDocuments', 'mutation { upsertDocuments(collection: "k", documents: [{id: "w1", text: "Written with a write key."}]) { ids } }', 'write'],
  ['deleteDocuments', 'mutation { deleteDocuments(collection: "k", ids: ["nope"]) }', 'write'],
  ['clusterCollection', 'mutation { clusterCollection(collection: "k", k: 2) { id } }', 'write'],
  ['deleteClustering', 'mutation { deleteClustering(id: "nope") }', 'write'],
  ['deleteClassifier', 'mutation { deleteClassifier(collection: "k", name: "nope") }', 'write'],
];

describe('API keys over HTTP', () => {
  beforeAll(async () => {
    server = await startServerProcess({ env: { SEMHUB_API_KEYS: `${READ}:read,${WRITE}:write,${ADMIN}:admin`, SEMHUB_HOST: '0.0.0.0' } });
    const r = await gql(server.url, 'mutation { createCollection(name: "k") { name } }', undefined, bearer(ADMIN));
    expect(r.errors).toBeUndefined();
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('listens on a non-loopback host when keys are configured', () => {
    expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/graphql$/);
  });

  it('keeps /healthz open', async () => {
    const res = await fetch(`${server.base}/healthz`);
    expect(res.status).toBe(200);
  });

  it('answers UNAUTHENTICATED (401) without a key, with an unknown key, a key prefix or another scheme', async () => {
    for (const headers of [{}, bearer('not-a-key-0123456789abcdef'), bearer(READ.slice(0, -1)), bearer(`${READ}x`), { authorization: `Basic ${READ}` }, { authorization: 'Bearer' }]) {
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ __typename }"}' });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('lets every scope read', async () => {
    for (const key of [READ, WRITE, ADMIN]) {
      const r = await gql(server.url, '{ collection(name: "k") { name documentCount } }', undefined, bearer(key));
      expect(r.errors).toBeUndefined();
      expect(r.data.collection.name).toBe('k');
    }
  });

  it('refuses every mutation to a read key with FORBIDDEN (403)', async () => {
    for (const [name, query] of MUTATIONS) {
      const r = await gql(server.url, query, undefined, bearer(READ));
      expect(codes(r), name).toEqual(['FORBIDDEN']);
      expect(r.status, name).toBe(403);
    }
  });

  it('lets a write key write documents but not administer collections or modules', async () => {
    for (const [name, query, needs] of MUTATIONS) {
      const r = await gql(server.url, query, undefined, bearer(WRITE));
      if (needs === 'admin') expect(codes(r), name).toEqual(['FORBIDDEN']);
      else expect(codes(r), name).not.toContain('FORBIDDEN');
    }
    const doc = await gql(server.url, 'query { documentsById(collection: "k", ids: ["w1"]) { id } }', undefined, bearer(READ));
    expect(doc.data.documentsById).toEqual([{ id: 'w1' }]);
  });

  it('lets an admin key administer collections', async () => {
    const created = await gql(server.url, 'mutation { createCollection(name: "other") { name } }', undefined, bearer(ADMIN));
    expect(created.data.createCollection.name).toBe('other');
    const deleted = await gql(server.url, 'mutation { deleteCollection(name: "other") }', undefined, bearer(ADMIN));
    expect(deleted.data.deleteCollection).toBe(true);
  });

  it('asks for a key on /metrics and serves it to a read key', async () => {
    expect((await fetch(`${server.base}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.base}/metrics`, { headers: bearer('wrong-key-0123456789abcdef') })).status).toBe(401);
    const res = await fetch(`${server.base}/metrics`, { headers: bearer(READ) });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^semhub_graphql_errors_total\{code="FORBIDDEN"\} \d+$/m);
  });

  it('keeps GraphiQL and the console off on a non-loopback bind', async () => {
    const res = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-type')).not.toMatch(/text\/html/);
    expect((await fetch(`${server.base}/`, { headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await fetch(`${server.base}/assets/console.js`)).status).toBe(404);
  });
});

describe('binding safety', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'semhub-keys-'));
  afterAll(() => removeDir(dataDir));

  it('refuses to start on a non-loopback host without API keys', async () => {
    const start = startServerProcess({ dataDir, env: { SEMHUB_HOST: '0.0.0.0', SEMHUB_API_KEYS: '' } });
    await expect(start).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without API keys/);
  });

  it('refuses a key shorter than 16 characters or an unknown scope', async () => {
    await expect(startServerProcess({ dataDir, env: { SEMHUB_API_KEYS: 'short:read' } })).rejects.toThrow(/shorter than 16 characters/);
    await expect(startServerProcess({ dataDir, env: { SEMHUB_API_KEYS: `${READ}:root` } })).rejects.toThrow(/scope read, write or admin/);
  });
});
