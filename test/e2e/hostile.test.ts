import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

/**
 * Hostile input: malformed or abusive requests sent raw over HTTP. For each, the server must not
 * answer 5xx, every error must carry a documented code (never INTERNAL_SERVER_ERROR), and the
 * server must still be healthy afterwards.
 */
const ALLOWED = new Set([
  'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'UNAUTHENTICATED', 'FORBIDDEN', 'MODULE_UNTRUSTED', 'MODULE_INTEGRITY', 'TOO_LARGE', 'OVERLOADED',
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'PERSISTED_QUERY_NOT_SUPPORTED',
]);
const MAX_BODY = 2_000_000;
const MAX_TEXT = 65_536;

let server: ServerProcess;

interface Raw {
  status: number;
  text: string;
}

/** One raw HTTP request (node:http, so bodies may hold any bytes and any method). */
function raw(opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Raw> {
  const url = new URL(opts.path ?? '/graphql', server.base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'POST', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

/** A request written byte for byte on a socket (for request lines node:http would not send). */
function socketRequest(head: string): Promise<Raw> {
  const { port } = new URL(server.base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(head));
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      const [headers = '', body = ''] = got.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d+)/.exec(headers)?.[1] ?? 0), text: body });
    });
  });
}

const JSON_CT = { 'content-type': 'application/json' };
const post = (body: string | Buffer, headers: Record<string, string> = JSON_CT) => () => raw({ body, headers });
const op = (query: string, variables?: unknown) => post(JSON.stringify({ query, variables }));
const get = (search: string, headers: Record<string, string> = {}) => () => raw({ method: 'GET', path: `/graphql?${search}`, headers });
const q = encodeURIComponent;

const UPSERT = 'mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "h", documents: $d) { ids errors { index code message } } }';
const SEARCH = 'query($v: [Float!], $t: String, $f: JSON, $l: Int) { search(collection: "h", vector: $v, text: $t, filter: $f, limit: $l) { score document { id } } }';
const nest = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { a: nest(depth - 1, leaf) });
const vec = (n: number, fill = 0.01) => Array.from({ length: n }, () => fill);

interface Case {
  name: string;
  send: () => Promise<Raw>;
  /** The first error's code, when one is expected. */
  code?: string;
  /** Extra checks on the parsed body. */
  check?: (body: { data?: any; errors?: { extensions?: { code?: string } }[] }) => void;
}

const cases: Case[] = [
  // HTTP and JSON framing
  { name: 'malformed JSON', send: post('{"query": '), code: 'BAD_USER_INPUT' },
  { name: 'JSON string body', send: post('"{ __typename }"'), code: 'BAD_USER_INPUT' },
  { name: 'JSON number body', send: post('42'), code: 'BAD_USER_INPUT' },
  { name: 'JSON null body', send: post('null'), code: 'BAD_USER_INPUT' },
  { name: 'empty body', send: post(''), code: 'BAD_USER_INPUT' },
  { name: 'empty object', send: post('{}'), code: 'BAD_USER_INPUT' },
  { name: 'batched array body', send: post('[{"query":"{ __typename }"},{"query":"{ __typename }"}]'), code: 'BAD_USER_INPUT' },
  { name: 'text/plain content type', send: post('{"query":"{ __typename }"}', { 'content-type': 'text/plain' }), code: 'BAD_USER_INPUT' },
  { name: 'form content type', send: post('query=%7B%20ok%20%7D', { 'content-type': 'application/x-www-form-urlencoded' }), code: 'BAD_USER_INPUT' },
  { name: 'multipart content type', send: post('--x\r\n\r\n{ __typename }\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }), code: 'BAD_USER_INPUT' },
  { name: 'application/graphql body', send: post('{ __typename }', { 'content-type': 'application/graphql' }), code: 'BAD_USER_INPUT' },
  { name: 'no content type', send: post('{"query":"{ __typename }"}', {}), code: 'BAD_USER_INPUT' },
  { name: 'query is a number', send: post('{"query": 5}'), code: 'BAD_USER_INPUT' },
  { name: 'query is an AST object', send: post('{"query": {"kind": "Document", "definitions": []}}'), code: 'BAD_USER_INPUT' },
  { name: 'variables as a JSON string', send: post('{"query": "{ __typename }", "variables": "{}"}'), code: 'BAD_USER_INPUT' },
  { name: 'variables as an array', send: post('{"query": "{ __typename }", "variables": [1]}'), code: 'BAD_USER_INPUT' },
  { name: 'operationName is a number', send: post('{"query": "{ __typename }", "operationName": 7}'), code: 'BAD_USER_INPUT' },
  { name: 'unknown operationName', send: post('{"query": "query A { __typename }", "operationName": "B"}'), code: 'BAD_USER_INPUT' },
  { name: 'invalid UTF-8 bytes', send: post(Buffer.concat([Buffer.from('{"query": "{ collection(name: \\"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\\") { name } }"}')])), code: 'BAD_USER_INPUT' },
  { name: 'truncated UTF-8 sequence', send: post(Buffer.concat([Buffer.from('{"query": "{ __typename }", "x": "'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')])), code: 'BAD_USER_INPUT' },
  { name: 'lone surrogate in a variable', send: post(`{"query": ${JSON.stringify(UPSERT)}, "variables": {"d": [{"id": "s1", "text": "bad \\ud800 text"}]}}`), code: 'BAD_USER_INPUT' },
  { name: 'lone surrogate in a query string literal', send: op('{ collection(name: "\\ud800") { name } }'), code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'lone surrogate in a key', send: post(`{"query": "{ __typename }", "variables": {"\\udc00": 1}}`), code: 'BAD_USER_INPUT' },
  { name: 'body over SEMHUB_MAX_BODY_BYTES', send: post(JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(MAX_BODY) })), code: 'TOO_LARGE' },
  { name: 'chunked body over the limit', send: () => raw({ body: Buffer.alloc(MAX_BODY + 10, 0x20), headers: { ...JSON_CT, 'transfer-encoding': 'chunked' } }), code: 'TOO_LARGE' },
  { name: 'JSON nested 100k levels', send: post(`{"query": "{ __typename }", "variables": {"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`), code: 'BAD_USER_INPUT' },
  { name: 'NaN in a vector', send: post(`{"query": ${JSON.stringify(SEARCH)}, "variables": {"v": [NaN]}}`), code: 'BAD_USER_INPUT' },
  // methods and GET
  { name: 'GET mutation', send: get(`query=${q('mutation { deleteCollection(name: "h") }')}`, { 'apollo-require-preflight': '1' }), code: 'BAD_USER_INPUT' },
  { name: 'GET without a CSRF preflight header', send: get(`query=${q('{ __typename }')}`), code: 'BAD_USER_INPUT' },
  { name: 'GET with malformed variables', send: get(`query=${q('{ __typename }')}&variables=%7Bnope`, { 'apollo-require-preflight': '1' }), code: 'BAD_USER_INPUT' },
  { name: 'GET with a repeated query parameter', send: get(`query=${q('{ __typename }')}&query=${q('{ __typename }')}`, { 'apollo-require-preflight': '1' }), code: 'BAD_USER_INPUT' },
  { name: 'PUT', send: () => raw({ method: 'PUT', body: '{"query":"{ __typename }"}', headers: JSON_CT }), code: 'BAD_USER_INPUT' },
  { name: 'DELETE', send: () => raw({ method: 'DELETE', headers: JSON_CT }), code: 'BAD_USER_INPUT' },
  { name: 'Accept that excludes JSON', send: post('{"query":"{ __typename }"}', { ...JSON_CT, accept: 'application/xml' }), code: 'BAD_USER_INPUT' },
  { name: 'persisted query extension', send: post('{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}'), code: 'PERSISTED_QUERY_NOT_SUPPORTED' },
  { name: 'unknown path with dot segments', send: () => raw({ method: 'GET', path: '/graphql/../../etc/passwd' }), code: 'NOT_FOUND' },
  { name: 'absolute-form target that is no URL', send: () => socketRequest('GET http://[::1/graphql HTTP/1.0\r\nhost: x\r\n\r\n'), code: 'NOT_FOUND' },
  { name: 'hostile x-request-id', send: () => raw({ body: '{"query":"{ __typename }"}', headers: { ...JSON_CT, 'x-request-id': '"><script>' } }) },
  // GraphQL syntax and validation
  { name: 'unterminated selection', send: op('{ __typename '), code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'stray closing brace', send: op('query { __typename } }'), code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'unknown field', send: op('{ nope }'), code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'unknown argument', send: op('{ collection(name: "h", evil: 1) { name } }'), code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'undeclared variable', send: op('{ collection(name: $x) { name } }'), code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'wrong variable type', send: op('query($n: Int) { documents(collection: "h", first: $n) { totalCount } }', { n: 'ten' }), code: 'BAD_USER_INPUT' },
  { name: 'missing required variable', send: op('query($c: String!) { collection(name: $c) { name } }', {}), code: 'BAD_USER_INPUT' },
  { name: 'fragment cycle', send: op('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }'), code: 'GRAPHQL_VALIDATION_FAILED' },
  // size and complexity limits
  { name: '10k aliases', send: op(`{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`), code: 'TOO_LARGE' },
  { name: '300 aliases', send: op(`{ ${Array.from({ length: 300 }, (_, i) => `a${i}: __typename`).join(' ')} }`), code: 'TOO_LARGE' },
  { name: '1500 identical fields', send: op(`{ ${'collections { totalCount } '.repeat(1500)}}`), code: 'TOO_LARGE' },
  { name: 'too many tokens', send: op(`{ __typename ${'@include(if: true) '.repeat(5000)}}`), code: 'TOO_LARGE' },
  { name: 'query nested 30 levels', send: op(`{ ${'a { '.repeat(30)}b${' }'.repeat(30)} }`), code: 'TOO_LARGE' },
  { name: 'query nested 5000 levels', send: op(`{ ${'a { '.repeat(5000)}b${' }'.repeat(5000)} }`), code: 'TOO_LARGE' },
  { name: 'fragment bomb', send: op(`{ ...F0 } ${Array.from({ length: 12 }, (_, i) => `fragment F${i} on Query { ${i === 11 ? '__typename' : `a: collections { nodes { name } } ...F${i + 1} b: collections { nodes { name } } ...F${i + 1}`} }`).join(' ')}`), code: 'TOO_LARGE' },
  { name: 'nested pagination cost', send: op('{ clusterings(collection: "h", first: 100) { nodes { clusters { documents(first: 100) { nodes { text metadata } } } } } }'), code: 'TOO_LARGE' },
  { name: '20 operations in one document', send: op(Array.from({ length: 20 }, (_, i) => `query Q${i} { __typename }`).join(' ')), code: 'TOO_LARGE' },
  { name: 'text over SEMHUB_MAX_TEXT_BYTES', send: op(UPSERT, { d: [{ id: 'big', text: 'word '.repeat(MAX_TEXT / 4) }] }), check: (b) => expect(b.data.upsertDocuments.errors[0].code).toBe('TOO_LARGE') },
  { name: 'search text over SEMHUB_MAX_TEXT_BYTES', send: op(SEARCH, { t: 'word '.repeat(MAX_TEXT / 4) }), code: 'TOO_LARGE' },
  { name: 'similarity text over SEMHUB_MAX_TEXT_BYTES', send: op('query($a: [String!]!) { similarity(a: $a, b: ["x"]) }', { a: ['word '.repeat(MAX_TEXT / 4)] }), code: 'TOO_LARGE' },
  { name: 'batch of 1001 documents', send: op(UPSERT, { d: Array.from({ length: 1001 }, (_, i) => ({ id: `b${i}`, text: 'x' })) }), code: 'TOO_LARGE' },
  { name: '1001 ids', send: op('query($i: [ID!]!) { documentsById(collection: "h", ids: $i) { id } }', { i: Array.from({ length: 1001 }, (_, i) => `i${i}`) }), code: 'TOO_LARGE' },
  // pagination and cursors
  { name: 'negative first', send: op('{ documents(collection: "h", first: -1) { totalCount } }'), code: 'BAD_USER_INPUT' },
  { name: 'first = 2^31 - 1', send: op('{ documents(collection: "h", first: 2147483647) { totalCount } }'), code: 'BAD_USER_INPUT' },
  { name: 'first beyond Int', send: op('{ documents(collection: "h", first: 99999999999) { totalCount } }'), code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'huge limit as a variable', send: op(SEARCH, { t: 'x', l: 1e12 }), code: 'BAD_USER_INPUT' },
  { name: 'negative limit', send: op(SEARCH, { t: 'x', l: -5 }), code: 'BAD_USER_INPUT' },
  { name: 'huge k', send: op('mutation { clusterCollection(collection: "h", k: 2147483647) { id } }'), code: 'BAD_USER_INPUT' },
  { name: 'garbage cursor', send: op('{ documents(collection: "h", after: "garbage") { totalCount } }'), code: 'BAD_USER_INPUT' },
  { name: 'cursor of another list', send: op(`{ documents(collection: "h", after: "${Buffer.from('collection:1').toString('base64url')}") { totalCount } }`), code: 'BAD_USER_INPUT' },
  { name: '100 KB cursor', send: op('query($a: String) { documents(collection: "h", after: $a) { totalCount } }', { a: 'A'.repeat(100_000) }), code: 'BAD_USER_INPUT' },
  // names
  { name: 'collection "../x"', send: op('mutation { createCollection(name: "../x") { name } }'), code: 'BAD_USER_INPUT' },
  { name: 'collection "a/b"', send: op('mutation { createCollection(name: "a/b") { name } }'), code: 'BAD_USER_INPUT' },
  { name: 'collection "%2e%2e"', send: op('mutation { createCollection(name: "%2e%2e") { name } }'), code: 'BAD_USER_INPUT' },
  { name: 'collection with a null byte', send: op('mutation($n: String!) { createCollection(name: $n) { name } }', { n: 'a\u0000b' }), code: 'BAD_USER_INPUT' },
  { name: 'reading collection "../x"', send: op('{ documents(collection: "../x") { totalCount } }'), code: 'BAD_USER_INPUT' },
  { name: 'reading collection "a/b" by id', send: op('{ documentsById(collection: "a/b", ids: ["1"]) { id } }'), code: 'BAD_USER_INPUT' },
  { name: 'reading collection "%2e%2e"', send: op('{ collection(name: "%2e%2e") { name } }'), check: (b) => expect(b.data?.collection ?? null).toBeNull() },
  { name: '100 KB collection name', send: op('query($n: String!) { collection(name: $n) { name } }', { n: 'c'.repeat(100_000) }), check: (b) => expect(b.data?.collection ?? null).toBeNull() },
  { name: 'text with a null byte', send: op(UPSERT, { d: [{ id: 'nul-text', text: 'before\u0000after' }] }) },
  { name: 'id with a null byte', send: op(UPSERT, { d: [{ id: 'x\u0000y', text: 'null byte id' }] }), check: (b) => expect(b.data.upsertDocuments.errors[0].code).toBe('BAD_USER_INPUT') },
  // vectors and numbers
  { name: '1e309 in a vector variable', send: post(`{"query": ${JSON.stringify(SEARCH)}, "variables": {"v": [1e309]}}`), code: 'BAD_USER_INPUT' },
  { name: '1e309 in a vector literal', send: op(`{ search(collection: "h", vector: [${vec(511).join(',')}, 1e309]) { score } }`), code: 'BAD_USER_INPUT' },
  { name: 'Infinity in a metadata literal', send: op('mutation { upsertDocuments(collection: "h", documents: [{id: "n", text: "x", metadata: {a: -1e309}}]) { ids } }'), code: 'BAD_USER_INPUT' },
  { name: 'vector of 3 dimensions', send: op(SEARCH, { v: [0.1, 0.2, 0.3] }), code: 'BAD_USER_INPUT' },
  { name: 'empty vector', send: op(SEARCH, { v: [] }), code: 'BAD_USER_INPUT' },
  { name: 'vector of 100k dimensions', send: op(SEARCH, { v: vec(100_000) }), code: 'BAD_USER_INPUT' },
  { name: 'vector of strings', send: op(SEARCH, { v: ['a', 'b'] }), code: 'BAD_USER_INPUT' },
  // JSON filters and metadata
  { name: 'filter literal nested 40 levels', send: op(`{ documents(collection: "h", filter: ${'{a: '.repeat(40)}1${'}'.repeat(40)}) { totalCount } }`), code: 'BAD_USER_INPUT' },
  { name: 'filter variable nested 40 levels', send: op('query($f: JSON) { documents(collection: "h", filter: $f) { totalCount } }', { f: nest(40, 1) }), code: 'BAD_USER_INPUT' },
  { name: 'body nested 70 levels', send: op(UPSERT, { d: [{ id: 'deep', text: 'deep', metadata: nest(70, 1) }] }), code: 'BAD_USER_INPUT' },
  { name: 'unknown filter operator', send: op(SEARCH, { t: 'x', f: { stars: { like: 3 } } }), code: 'BAD_USER_INPUT' },
  { name: '__proto__ as a filter operator', send: post(`{"query": ${JSON.stringify(SEARCH)}, "variables": {"t": "x", "f": {"stars": {"__proto__": {"gte": 1}}}}}`), code: 'BAD_USER_INPUT' },
  { name: 'filter on constructor.prototype', send: op('{ documents(collection: "h", filter: {constructor: {prototype: 1}}) { totalCount } }'), code: 'BAD_USER_INPUT' },
  { name: '__proto__ metadata', send: post(`{"query": ${JSON.stringify(UPSERT)}, "variables": {"d": [{"id": "proto", "text": "A review about prototypes.", "metadata": {"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "toString": 1}}]}}`) },
  { name: 'filter on __proto__', send: post(`{"query": "query($f: JSON) { documents(collection: \\"h\\", filter: $f) { totalCount } }", "variables": {"f": {"__proto__": {"polluted": true}}}}`) },
];

describe('hostile input over HTTP', () => {
  beforeAll(async () => {
    server = await startServerProcess({ env: { SEMHUB_MAX_BODY_BYTES: String(MAX_BODY) } });
    await gql(server.url, 'mutation { createCollection(name: "h") { name } }');
    const r = await gql(server.url, UPSERT, {
      d: [
        { id: 'r1', text: 'The battery lasts all day and charges quickly.', metadata: { stars: 5 } },
        { id: 'r2', text: 'The blender broke after two weeks.', metadata: { stars: 1 } },
      ],
    });
    expect(r.data.upsertDocuments.errors).toEqual([]);
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it(`has at least 50 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: no 5xx, only documented codes', async (_, c) => {
    const res = await c.send();
    expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    const body = JSON.parse(res.text) as Parameters<NonNullable<Case['check']>>[0];
    for (const e of body.errors ?? []) {
      expect(ALLOWED.has(e.extensions?.code ?? ''), JSON.stringify(e).slice(0, 300)).toBe(true);
    }
    if (c.code) expect(body.errors?.[0]?.extensions?.code, res.text.slice(0, 300)).toBe(c.code);
    c.check?.(body);
  });

  it('kept __proto__ metadata keys as plain data and polluted nothing', async () => {
    // The raw text, not a client-side JSON.parse of it: JSON.parse never sets a prototype, so a
    // parsed check passes whatever the server did. Had the server applied `__proto__` as a
    // prototype (a merge or Object.assign), its JSON would lack that key.
    const res = await raw({ headers: JSON_CT, body: JSON.stringify({ query: '{ documentsById(collection: "h", ids: ["proto", "r1"]) { id metadata } }' }) });
    expect(res.status).toBe(200);
    expect(res.text.trim()).toBe(
      '{"data":{"documentsById":[' +
        '{"id":"proto","metadata":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"toString":1}},' +
        '{"id":"r1","metadata":{"stars":5}}]}}',
    );
    const polluted = await raw({ headers: JSON_CT, body: JSON.stringify({ query: '{ documents(collection: "h", filter: {polluted: true}) { totalCount } }' }) });
    expect(polluted.text.trim()).toBe('{"data":{"documents":{"totalCount":0}}}');
  });

  it('is still healthy and searches afterwards', async () => {
    const health = await fetch(`${server.base}/healthz`);
    expect(health.status).toBe(200);
    const r = await gql(server.url, SEARCH, { t: 'battery life', l: 1 });
    expect(r.errors).toBeUndefined();
    expect(r.data.search[0].document.id).toBe('r1');
    expect(server.proc.exitCode).toBeNull();
    // nothing above was an unexpected failure inside the server
    expect(server.logs.join('')).not.toMatch(/"msg":"(internal error|request failed)"/);
  });
});
