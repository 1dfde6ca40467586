import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess();
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

const UPSERT = `mutation($c: String!, $docs: [DocumentInput!]!) {
  upsertDocuments(collection: $c, documents: $docs) { ids upserted embedded errors { index id code message } }
}`;
const COUNTS = `query($c: String!) { collection(name: $c) { name documentCount deletedCount indexedCount metric hnsw { m efConstruction ef } module { name version dims sha256 loaded } } }`;

describe('the service spine over HTTP', () => {
  it('answers /healthz', async () => {
    const res = await fetch(`${server.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', store: 'sqlite' });
  });

  it('answers the standard introspection query (GraphiQL and codegen need it; serve runs with NODE_ENV=production)', async () => {
    const r = await gql(server.url, getIntrospectionQuery());
    expect(r.errors).toBeUndefined();
    const names = (r.data.__schema.types as { name: string }[]).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['Query', 'Mutation', 'SearchHit', 'FusionMethod']));
  });

  it('creates a collection bound to the default module', async () => {
    const r = await gql(server.url, `mutation { createCollection(name: "reviews") { name metric module { name version dims sha256 } } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.createCollection).toMatchObject({ name: 'reviews', metric: 'COSINE', module: { name: 'use-lite', version: '1', dims: 512 } });
    expect(r.data.createCollection.module.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a second collection of the same name with CONFLICT', async () => {
    const r = await gql(server.url, `mutation { createCollection(name: "reviews") { name } }`);
    expect(codes(r)).toEqual(['CONFLICT']);
  });

  it('upserts three documents, then replaces one by id without adding a fourth', async () => {
    const first = await gql(server.url, UPSERT, {
      c: 'reviews',
      docs: [
        { id: 'a', text: 'The battery lasts all day and charges quickly.', metadata: { stars: 5, product: 'phone' } },
        { id: 'b', text: 'The blender broke after two weeks.', metadata: { stars: 1, product: 'blender' } },
        { id: 'c', text: 'A gripping novel with a weak ending.', metadata: { stars: 3, product: 'book' } },
      ],
    });
    expect(first.errors).toBeUndefined();
    expect(first.data.upsertDocuments).toMatchObject({ ids: ['a', 'b', 'c'], upserted: 3, embedded: 3, errors: [] });

    const again = await gql(server.url, UPSERT, {
      c: 'reviews',
      docs: [{ id: 'b', text: 'The blender is loud but crushes ice well.', metadata: { stars: 4, product: 'blender' } }],
    });
    expect(again.data.upsertDocuments).toMatchObject({ ids: ['b'], upserted: 1, embedded: 1 });

    const counts = await gql(server.url, COUNTS, { c: 'reviews' });
    expect(counts.data.collection).toMatchObject({ documentCount: 3, deletedCount: 0, indexedCount: 3 });
    const byId = await gql(server.url, `query { documentsById(collection: "reviews", ids: ["b", "zz", "a"]) { id text metadata } }`);
    expect(byId.data.documentsById).toEqual([
      { id: 'b', text: 'The blender is loud but crushes ice well.', metadata: { stars: 4, product: 'blender' } },
      null,
      { id: 'a', text: 'The battery lasts all day and charges quickly.', metadata: { stars: 5, product: 'phone' } },
    ]);
  });

  it('reuses the stored vector when the same text is upserted again', async () => {
    const r = await gql(server.url, UPSERT, { c: 'reviews', docs: [{ id: 'a', text: 'The battery lasts all day and charges quickly.', metadata: { stars: 5, product: 'phone' } }] });
    expect(r.data.upsertDocuments).toMatchObject({ upserted: 1, embedded: 0 });
  });

  it('lists documents as a connection with opaque cursors and an equality filter', async () => {
    const page1 = await gql(server.url, `query { documents(collection: "reviews", first: 2) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`);
    expect(page1.data.documents.totalCount).toBe(3);
    expect(page1.data.documents.nodes.map((n: { id: string }) => n.id)).toEqual(['a', 'b']);
    expect(page1.data.documents.pageInfo.hasNextPage).toBe(true);
    const page2 = await gql(server.url, `query($after: String) { documents(collection: "reviews", first: 2, after: $after) { nodes { id } pageInfo { hasNextPage } } }`, {
      after: page1.data.documents.pageInfo.endCursor,
    });
    expect(page2.data.documents.nodes.map((n: { id: string }) => n.id)).toEqual(['c']);
    expect(page2.data.documents.pageInfo.hasNextPage).toBe(false);
    const filtered = await gql(server.url, `query { documents(collection: "reviews", filter: {product: "blender"}) { nodes { id } } }`);
    expect(filtered.data.documents.nodes).toEqual([{ id: 'b' }]);
    const ranged = await gql(server.url, `query($f: JSON) { documents(collection: "reviews", filter: $f) { nodes { id } } }`, { f: { stars: { gte: 4 } } });
    expect(ranged.data.documents.nodes).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('reports bad items per index and writes the good ones', async () => {
    const r = await gql(server.url, UPSERT, {
      c: 'reviews',
      docs: [
        { id: 'd', text: '   ' },
        { id: 'e', text: 'Fits well and the fabric is soft.', metadata: ['not', 'an', 'object'] },
        { id: 'f', text: 'Fast shipping, works as described.' },
      ],
    });
    expect(r.errors).toBeUndefined();
    const res = r.data.upsertDocuments;
    expect(res.ids).toEqual([null, null, 'f']);
    expect(res.errors.map((e: { index: number; code: string }) => [e.index, e.code])).toEqual([
      [0, 'BAD_USER_INPUT'],
      [1, 'BAD_USER_INPUT'],
    ]);
  });

  it('assigns a server id when none is given', async () => {
    const r = await gql(server.url, UPSERT, { c: 'reviews', docs: [{ text: 'No id here, please pick one.' }] });
    expect(r.data.upsertDocuments.ids[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('deletes documents and counts them as deleted', async () => {
    const r = await gql(server.url, `mutation { deleteDocuments(collection: "reviews", ids: ["f", "nope"]) }`);
    expect(r.data.deleteDocuments).toBe(1);
    const counts = await gql(server.url, COUNTS, { c: 'reviews' });
    expect(counts.data.collection).toMatchObject({ documentCount: 4, deletedCount: 1 });
  });

  it('gives coded errors: NOT_FOUND for a missing collection, BAD_USER_INPUT for an empty name', async () => {
    const missing = await gql(server.url, `query { documents(collection: "nope") { totalCount } }`);
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    const upsertMissing = await gql(server.url, UPSERT, { c: 'nope', docs: [{ text: 'x' }] });
    expect(codes(upsertMissing)).toEqual(['NOT_FOUND']);
    const empty = await gql(server.url, `mutation { createCollection(name: "") { name } }`);
    expect(codes(empty)).toEqual(['BAD_USER_INPUT']);
    const pathLike = await gql(server.url, `mutation { createCollection(name: "../etc") { name } }`);
    expect(codes(pathLike)).toEqual(['BAD_USER_INPUT']);
    expect(await gql(server.url, `query { collection(name: "nope") { name } }`)).toMatchObject({ data: { collection: null } });
  });

  it('refuses bad cursors, page sizes, filters and JSON bodies with codes', async () => {
    expect(codes(await gql(server.url, `query { documents(collection: "reviews", after: "garbage") { totalCount } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(server.url, `query { documents(collection: "reviews", first: -1) { totalCount } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(server.url, `query { documents(collection: "reviews", first: 100000) { totalCount } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(server.url, `query { documents(collection: "reviews", filter: {stars: {like: 3}}) { totalCount } }`))).toEqual(['BAD_USER_INPUT']);
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an oversized batch with TOO_LARGE', async () => {
    const docs = Array.from({ length: 1001 }, (_, i) => ({ id: `x${i}`, text: 'x' }));
    expect(codes(await gql(server.url, UPSERT, { c: 'reviews', docs }))).toEqual(['TOO_LARGE']);
  });

  it('pages through collections and deletes one', async () => {
    await gql(server.url, `mutation { createCollection(name: "second", hnsw: {m: 8}) { name } }`);
    const all = await gql(server.url, `query { collections(first: 1) { totalCount nodes { name } pageInfo { hasNextPage endCursor } } }`);
    expect(all.data.collections).toMatchObject({ totalCount: 2, nodes: [{ name: 'reviews' }], pageInfo: { hasNextPage: true } });
    const next = await gql(server.url, `query($a: String) { collections(first: 5, after: $a) { nodes { name hnsw { m ef } } } }`, { a: all.data.collections.pageInfo.endCursor });
    expect(next.data.collections.nodes).toEqual([{ name: 'second', hnsw: { m: 8, ef: 64 } }]);
    expect((await gql(server.url, `mutation { deleteCollection(name: "second") }`)).data.deleteCollection).toBe(true);
    expect((await gql(server.url, `mutation { deleteCollection(name: "second") }`)).data.deleteCollection).toBe(false);
  });

  it('keeps every acknowledged document across a restart', async () => {
    await server.stop();
    server = await startServerProcess({ dataDir: server.dataDir });
    const counts = await gql(server.url, COUNTS, { c: 'reviews' });
    expect(counts.data.collection).toMatchObject({ documentCount: 4, deletedCount: 1 });
  });
});
