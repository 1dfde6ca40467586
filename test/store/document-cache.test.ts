/** The document-row cache in front of a real SQLite store: hits, and never a stale row after a write. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHED_READ_MAX_KEYS, withDocumentCache } from '../../src/store/document-cache.js';
import { openStore } from '../../src/store/open.js';
import type { CollectionRow, Store } from '../../src/store/types.js';
import { doc, newCollection } from './suite-support.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'semhub-doccache-'));
let raw: Store;
let c: CollectionRow;
let keys: number[];

beforeAll(async () => {
  raw = await openStore({ dataDir });
  c = await newCollection(raw, 'cache');
  keys = (await raw.upsertDocuments(c.key, [doc('a', 'alpha', { n: 1 }), doc('b', 'beta'), doc('c', 'gamma')])).written.map((w) => w.key);
});
afterAll(async () => {
  await raw.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const texts = (rows: ({ text: string } | null)[]) => rows.map((r) => r?.text ?? null);

describe('document cache', () => {
  it('serves repeated reads from memory, in request order, with nulls for missing keys', async () => {
    const store = withDocumentCache(raw);
    expect(texts(await store.getDocumentsByKeys(c.key, [keys[2]!, 999_999, keys[0]!]))).toEqual(['gamma', null, 'alpha']);
    const before = store.documentCacheStats();
    expect(texts(await store.getDocumentsByKeys(c.key, [keys[0]!, keys[2]!]))).toEqual(['alpha', 'gamma']);
    expect(store.documentCacheStats().hits - before.hits).toBe(2);
    expect(store.documentCacheStats().misses).toBe(before.misses);
  });

  it('never answers from another collection', async () => {
    const store = withDocumentCache(raw);
    await store.getDocumentsByKeys(c.key, keys);
    const other = await newCollection(raw, 'cache-other');
    expect(await store.getDocumentsByKeys(other.key, keys)).toEqual([null, null, null]);
  });

  it('reads the new row after an upsert, a metadata patch or a delete made through it', async () => {
    const store = withDocumentCache(raw);
    await store.getDocumentsByKeys(c.key, keys);
    await store.upsertDocuments(c.key, [doc('a', 'alpha two', { n: 2 })]);
    expect((await store.getDocumentsByKeys(c.key, [keys[0]!]))[0]).toMatchObject({ text: 'alpha two', metadata: { n: 2 } });
    await store.patchDocumentMetadata(c.key, [{ key: keys[0]!, set: { tag: 'x' } }]);
    const patched = (await raw.getDocumentsByKeys(c.key, [keys[0]!]))[0];
    expect((await store.getDocumentsByKeys(c.key, [keys[0]!]))[0]).toEqual(patched);
    await store.deleteDocuments(c.key, ['b']);
    expect(await store.getDocumentsByKeys(c.key, [keys[1]!])).toEqual([null]);
  });

  it('does not keep a row read while a write ran', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The real store, with its row read held until a write has happened.
    const slow = new Proxy(raw, {
      get: (t, p) => (p === 'getDocumentsByKeys'
        ? async (ck: number, ks: number[]) => { const rows = await t.getDocumentsByKeys(ck, ks); await gate; return rows; }
        : (Reflect.get(t, p) as unknown)),
    });
    const store = withDocumentCache(slow);
    const pending = store.getDocumentsByKeys(c.key, [keys[2]!]);
    await store.upsertDocuments(c.key, [doc('c', 'gamma two')]);
    release();
    expect(texts(await pending)).toEqual(['gamma']); // read before the write committed
    expect(texts(await store.getDocumentsByKeys(c.key, [keys[2]!]))).toEqual(['gamma two']);
  });

  it('leaves bulk reads (more than CACHED_READ_MAX_KEYS keys) to the store', async () => {
    const store = withDocumentCache(raw);
    const many = [...keys, ...Array.from({ length: CACHED_READ_MAX_KEYS }, (_, i) => 10_000_000 + i)];
    expect(texts((await store.getDocumentsByKeys(c.key, many)).slice(0, 3))).toEqual(texts(await raw.getDocumentsByKeys(c.key, keys)));
    expect(store.documentCacheStats()).toEqual({ hits: 0, misses: 0, size: 0 });
  });

  it('hands out frozen rows', async () => {
    const store = withDocumentCache(raw);
    await store.getDocumentsByKeys(c.key, [keys[0]!]);
    const [row] = await store.getDocumentsByKeys(c.key, [keys[0]!]);
    expect(Object.isFrozen(row)).toBe(true);
  });
});
