import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHnswIndex } from '../../src/index/hnsw.js';
import type { IndexParams } from '../../src/index/types.js';
import { clusteredVectors } from './clustered.js';
import { items, params, tempDir } from './helpers.js';

const vectors = clusteredVectors({ n: 1550, dims: 512, clusters: 50, noise: 1, seed: 3 });
const base = vectors.slice(0, 1500);
const queries = vectors.slice(1500);

describe('hnsw index files', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let expected: Awaited<ReturnType<typeof search>>;
  const search = async (p: IndexParams = params()) => {
    const index = await openHnswIndex({ dir: tmp.dir, name: 'saved', params: p });
    const hits = await index.search(queries, 10);
    const state = { loadedFrom: index.loadedFrom, reason: index.reason, seq: index.seq, size: index.size, deleted: index.deletedCount };
    await index.close();
    return { hits, ...state };
  };
  const reopen = (p: IndexParams = params()) => openHnswIndex({ dir: tmp.dir, name: 'saved', params: p });

  beforeAll(async () => {
    tmp = await tempDir();
    const index = await openHnswIndex({ dir: tmp.dir, name: 'saved', params: params() });
    await index.upsert(items(base), 41);
    await index.remove([3, 4, 5], 42);
    expected = { hits: await index.search(queries, 10), loadedFrom: 'empty', reason: null, seq: 42, size: 1497, deleted: 3 };
    await index.save();
    await index.close();
  });
  afterAll(() => tmp.cleanup());

  it('saves atomically: only the index file and its meta remain', async () => {
    expect((await readdir(tmp.dir)).sort()).toEqual(['saved.hnsw', 'saved.meta.json']);
    const meta = JSON.parse(await readFile(join(tmp.dir, 'saved.meta.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 1, dims: 512, metric: 'cosine', m: 16, efConstruction: 64, seq: 42, count: 1500, size: 1497 });
    expect(meta.deletedKeys.sort()).toEqual([3, 4, 5]);
  });

  it('reopens a saved index with identical search results, seq and tombstones', async () => {
    const got = await search();
    expect(got).toEqual({ ...expected, loadedFrom: 'file' });
  });

  it('keeps tombstones reusable after reopening', async () => {
    const index = await reopen();
    await index.upsert([{ key: 4, vector: base[4]! }, { key: 9000, vector: base[0]! }]);
    expect([index.size, index.deletedCount, index.capacity]).toEqual([1499, 1, 2048]);
    expect((await index.search([base[4]!], 1))[0]![0]!.key).toBe(4);
    await index.close();
  });

  it('takes vectors into an index that was saved empty (read back with no slots)', async () => {
    const empty = await openHnswIndex({ dir: tmp.dir, name: 'empty', params: params() });
    await empty.save();
    await empty.close();
    const index = await openHnswIndex({ dir: tmp.dir, name: 'empty', params: params() });
    expect(index.loadedFrom).toBe('file');
    await index.upsert(items(base.slice(0, 100)), 1);
    expect(index.size).toBe(100);
    expect((await index.search([base[7]!], 1))[0]![0]!.key).toBe(7);
    await index.close();
  });

  it('loads when only ef (a search-time setting) changed', async () => {
    const index = await reopen(params({ ef: 200 }));
    expect([index.loadedFrom, index.seq]).toEqual(['file', 42]);
    await index.close();
  });

  it('starts empty with a reason when the module sha256 or dims changed', async () => {
    const sha = await reopen(params({ moduleSha256: 'b'.repeat(64) }));
    expect([sha.loadedFrom, sha.seq, sha.size]).toEqual(['empty', 0, 0]);
    expect(sha.reason).toMatch(/^moduleSha256 changed \(file a+, wanted b+\)$/);
    await sha.close();
    const dims = await reopen(params({ dims: 256 }));
    expect(dims.reason).toBe('dims changed (file 512, wanted 256)');
    await dims.close();
  });

  it('starts empty with a reason when the index file is truncated or corrupted', async () => {
    const file = join(tmp.dir, 'saved.hnsw');
    const original = await readFile(file);
    try {
      const flipped = Buffer.from(original);
      flipped[flipped.length >> 1]! ^= 0xff;
      await writeFile(file, flipped);
      expect(await search()).toMatchObject({ loadedFrom: 'empty', reason: 'index file checksum does not match its meta', size: 0 });
      await truncate(file, original.length >> 1);
      expect((await search()).reason).toBe(`index file has ${original.length >> 1} bytes, its meta records ${original.length}`);
    } finally {
      await writeFile(file, original);
    }
    expect((await search()).loadedFrom).toBe('file');
  });

  it('starts empty with a reason when the meta file is missing or unreadable', async () => {
    const empty = await openHnswIndex({ dir: tmp.dir, name: 'other', params: params() });
    expect([empty.loadedFrom, empty.reason]).toEqual(['empty', `no meta file ${join(tmp.dir, 'other.meta.json')}`]);
    await empty.close();
    const metaPath = join(tmp.dir, 'saved.meta.json');
    const meta = await readFile(metaPath, 'utf8');
    try {
      await writeFile(metaPath, meta.slice(0, 20));
      expect((await search()).reason).toMatch(/^meta file is not valid JSON/);
    } finally {
      await writeFile(metaPath, meta);
    }
  });
});
