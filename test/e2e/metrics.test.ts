import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

const TIMEOUT_MS = 4000;
let server: ServerProcess;

/** The value of one sample in Prometheus text format; labels must match exactly (any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const scrape = async () => {
  const res = await fetch(`${server.base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
};

const docs = [
  { id: 'm1', text: 'The battery lasts all day and charges quickly.' },
  { id: 'm2', text: 'The blender broke after two weeks of light use.' },
  { id: 'm3', text: 'A gripping novel with a weak ending.' },
  { id: 'm4', text: 'Fast shipping, works exactly as described.' },
  { id: 'm5', text: 'The lens is sharp but the autofocus hunts in low light.' },
];

describe('metrics, logs and operability', () => {
  beforeAll(async () => {
    server = await startServerProcess({ env: { SEMHUB_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } });
    await gql(server.url, 'mutation Create { createCollection(name: "m") { name } }');
    const up = await gql(server.url, 'mutation Upsert($d: [DocumentInput!]!) { upsertDocuments(collection: "m", documents: $d) { upserted } }', { d: docs });
    expect(up.data.upsertDocuments.upserted).toBe(5);
    const s = await gql(server.url, 'query Find { search(collection: "m", text: "long battery life", limit: 2) { score } }');
    expect(s.errors).toBeUndefined();
    await gql(server.url, 'query Missing { documents(collection: "nope") { totalCount } }');
    await gql(server.url, '{ broken ');
    await gql(server.url, 'mutation Remove { deleteDocuments(collection: "m", ids: ["m5"]) }');
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('times GraphQL operations by name and type', async () => {
    const text = await scrape();
    expect(sample(text, 'semhub_graphql_request_duration_seconds_count', { operation: 'Upsert', type: 'mutation' })).toBe(1);
    expect(sample(text, 'semhub_graphql_request_duration_seconds_count', { operation: 'Find', type: 'query' })).toBe(1);
    expect(sample(text, 'semhub_graphql_request_duration_seconds_count', { operation: 'anonymous', type: 'unknown' })).toBe(1);
    const sum = sample(text, 'semhub_graphql_request_duration_seconds_sum', { operation: 'Upsert', type: 'mutation' })!;
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(120);
    expect(sample(text, 'semhub_graphql_request_duration_seconds_bucket', { operation: 'Find', type: 'query', le: '+Inf' })).toBe(1);
    expect(sample(text, 'semhub_http_request_duration_seconds_count', { route: 'graphql', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(5);
  });

  it('counts errors by code', async () => {
    const text = await scrape();
    expect(sample(text, 'semhub_graphql_errors_total', { code: 'NOT_FOUND' })).toBe(1);
    expect(sample(text, 'semhub_graphql_errors_total', { code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
  });

  it('reports the embedding queue, batch sizes, throughput and backend', async () => {
    const first = await scrape();
    const module = { module: 'use-lite' };
    expect(sample(first, 'semhub_embed_sentences_total', module)).toBeGreaterThanOrEqual(6);
    expect(sample(first, 'semhub_embed_batches_total', module)).toBeGreaterThanOrEqual(1);
    expect(sample(first, 'semhub_embed_batch_size_max', module)).toBeGreaterThanOrEqual(1);
    expect(sample(first, 'semhub_embed_batch_size_mean', module)).toBeGreaterThan(0);
    expect(sample(first, 'semhub_embed_queue_waiting', module)).toBe(0);
    expect(sample(first, 'semhub_embed_in_flight', module)).toBe(0);
    const health = (await (await fetch(`${server.base}/healthz`)).json()) as { backend: string };
    expect(sample(first, 'semhub_encoder_backend', { module: 'use-lite', backend: health.backend })).toBe(1);
    // throughput is a rate between scrapes: embed something new, then scrape again
    await gql(server.url, 'query { similarity(a: ["a fresh sentence to embed"], b: ["and another new one", "and a third"]) }');
    const second = await scrape();
    expect(sample(second, 'semhub_embed_sentences_per_second', module)).toBeGreaterThan(0);
    expect(sample(second, 'semhub_embed_sentences_total', module)).toBeGreaterThan(sample(first, 'semhub_embed_sentences_total', module)!);
  });

  it('reports index size, tombstones and lag behind the store per collection, and the lag on /healthz', async () => {
    const text = await scrape();
    expect(sample(text, 'semhub_index_vectors', { collection: 'm' })).toBe(4);
    expect(sample(text, 'semhub_index_tombstones', { collection: 'm' })).toBe(1);
    expect(sample(text, 'semhub_index_lag_changes', { collection: 'm' })).toBe(0);
    expect(sample(text, 'semhub_index_lag_seconds', { collection: 'm' })).toBe(0);
    const seq = (await gql(server.url, '{ collection(name: "m") { seq } }')).data.collection.seq;
    const health = (await (await fetch(`${server.base}/healthz`)).json()) as { indexes: unknown };
    expect(health.indexes).toEqual([{ collection: 'm', module: 'use-lite@1', serving: true, indexSeq: seq, storeSeq: seq, behind: 0, oldestUnappliedMs: 0, opening: false }]);
  });

  it('counts search hit rows answered from the document cache and from the store', async () => {
    const before = await scrape();
    const q = 'query { search(collection: "m", text: "a query about anything", limit: 3) { document { id } } }';
    await gql(server.url, q);
    await gql(server.url, q);
    const after = await scrape();
    const delta = (name: string) => sample(after, name)! - (sample(before, name) ?? 0);
    expect(delta('semhub_document_cache_misses_total')).toBeGreaterThanOrEqual(1);
    expect(delta('semhub_document_cache_hits_total')).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'semhub_document_cache_rows')).toBeGreaterThanOrEqual(3);
  });

  it('exports the process metrics', async () => {
    const text = await scrape();
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('logs one line per request with its request id, operation, status, duration and error codes', async () => {
    await gql(server.url, 'query Tagged { documents(collection: "nope") { totalCount } }', undefined, { 'x-request-id': 'test-request-42' });
    await new Promise((r) => setTimeout(r, 200));
    const lines = server.logs.join('').split('\n').filter((l) => l.includes('"test-request-42"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'request', requestId: 'test-request-42', operation: 'Tagged', type: 'query', status: 200, errors: ['NOT_FOUND'] });
    expect(JSON.parse(lines[0]!).durationMs).toBeGreaterThanOrEqual(0);
  });

  it('answers a request that outlives SEMHUB_REQUEST_TIMEOUT_MS with OVERLOADED (503)', async () => {
    const { port } = new URL(server.base);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        // headers and half a body, then nothing: the request cannot finish in time
        socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"query": "{ ok`);
      });
      let got = '';
      socket.on('data', (c) => {
        got += c.toString();
        if (got.includes('"OVERLOADED"')) (socket.destroy(), resolve(got));
      });
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
      setTimeout(() => (socket.destroy(), resolve(got)), TIMEOUT_MS + 3000);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 503/);
    expect(reply).toContain('"code":"OVERLOADED"');
    expect(reply).toMatch(/SEMHUB_REQUEST_TIMEOUT_MS/);
    expect(sample(await scrape(), 'semhub_graphql_errors_total', { code: 'OVERLOADED' })).toBe(1);
  });

  it('serves GraphiQL and the console on a loopback bind, from this origin only', async () => {
    for (const [path, bundle] of [['/graphql', 'graphiql'], ['/', 'console']]) {
      const res = await fetch(`${server.base}${path}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'self';/);
      const html = await res.text();
      expect(html).toContain(`<script type="module" src="/assets/${bundle}.js">`);
      expect(html).not.toMatch(/https?:\/\//);
      for (const [, url] of html.matchAll(/\b(?:src|href)="([^"]+)"/g)) expect(url).toMatch(/^\/assets\//);
    }
  });
});
