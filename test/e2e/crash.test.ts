import { afterAll, describe, expect, it } from 'vitest';
import { gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

const ROUNDS = 3;
const CLIENTS = 4;
let server: ServerProcess | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  await server?.stop();
  if (dataDir) removeDir(dataDir);
});

const sentence = (round: number, client: number, n: number) =>
  `Round ${round} client ${client} review ${n}: the ${['battery', 'screen', 'blender', 'novel', 'lens'][n % 5]} was ${['great', 'awful', 'fine'][n % 3]} after ${n + 1} days.`;

describe('crash safety', () => {
  it(`keeps every acknowledged document across ${ROUNDS} kill -9 rounds during concurrent ingest`, async () => {
    server = await startServerProcess();
    dataDir = server.dataDir;
    await gql(server.url, `mutation { createCollection(name: "crash") { name } }`);
    const acknowledged = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const url = server.url;
      let stop = false;
      const clients = Array.from({ length: CLIENTS }, async (_, client) => {
        for (let n = 0; !stop; n++) {
          const docs = [0, 1].map((j) => ({ id: `${round}-${client}-${n}-${j}`, text: sentence(round, client, n * 2 + j), metadata: { round } }));
          try {
            const r = await gql(url, `mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "crash", documents: $d) { ids } }`, { d: docs });
            for (const id of r.data?.upsertDocuments.ids ?? []) if (id) acknowledged.add(id);
          } catch {
            return; // connection died with the server: this batch was never acknowledged
          }
        }
      });
      // Kill at a random moment once some writes are in flight.
      await new Promise((r) => setTimeout(r, 1500 + Math.random() * 2500));
      await server.kill();
      stop = true;
      await Promise.all(clients);
      server = await startServerProcess({ dataDir });
      const c = await gql(server.url, `query { collection(name: "crash") { documentCount indexedCount } }`);
      expect(c.data.collection.documentCount).toBeGreaterThanOrEqual(acknowledged.size);
      expect(c.data.collection.indexedCount).toBe(c.data.collection.documentCount);
    }
    expect(acknowledged.size).toBeGreaterThan(0);
    const ids = [...acknowledged];
    for (let i = 0; i < ids.length; i += 500) {
      const r = await gql(server!.url, `query($ids: [ID!]!) { documentsById(collection: "crash", ids: $ids) { id } }`, { ids: ids.slice(i, i + 500) });
      expect(r.data.documentsById.filter((d: unknown) => d === null)).toHaveLength(0);
    }
    // Every acknowledged document is searchable: a sample finds itself first.
    for (const id of ids.filter((_, i) => i % Math.ceil(ids.length / 20) === 0)) {
      const r = await gql(server!.url, `query($id: ID) { search(collection: "crash", documentId: $id, limit: 1) { document { id } } }`, { id });
      expect(r.data.search[0].document.id).toBe(id);
    }
  });
});
