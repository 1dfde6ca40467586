/**
 * DocumentService on the real SQLite store and the real USE-lite, wired by createServices: an
 * upsert validates each item on its own, embeds each distinct new text once, keeps the stored
 * vector of an unchanged text, and commits; deletes, reads, filtered lists and counts follow it,
 * and a collection bound to another module is refused before anything is embedded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Encoder, ModuleRegistry } from '../../src/modules/types.js';
import { DocumentService } from '../../src/services/documents.js';
import type { Services } from '../../src/services/services.js';
import type { CollectionRow } from '../../src/store/types.js';
import { corpus, failure, loadModules, openServices, tempDataDir } from './support.js';

const LIMITS = { SEMHUB_MAX_BATCH: '40', SEMHUB_MAX_TEXT_BYTES: '600', SEMHUB_MAX_METADATA_BYTES: '120' };
let modules: ModuleRegistry;
let services: Services;
let embedCalls: string[][] = [];
const data = tempDataDir('documents');

/** The registry with its encoders' embed calls recorded (the texts of each call in embedCalls). */
function recording(registry: ModuleRegistry): ModuleRegistry {
  const spy = (encoder: Encoder): Encoder =>
    new Proxy(encoder, {
      get: (target, prop) => {
        if (prop === 'embed') {
          return (texts: string[], opts?: Parameters<Encoder['embed']>[1]) => {
            embedCalls.push([...texts]);
            return target.embed(texts, opts);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(registry, {
    get: (target, prop) => {
      if (prop === 'get') return (name?: string | null) => spy(target.get(name));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const fresh = async (name: string) => services.collections.create({ name });
const vectorOf = async (c: CollectionRow, id: string) => {
  const [doc] = await services.documents.getByIds(c, [id]);
  const [vector] = await services.store.getVectorsByKeys(c.key, c.module.sha256, [doc!.key]);
  return vector!;
};

beforeAll(async () => {
  modules = await loadModules();
  services = await openServices(data.dir, recording(modules), LIMITS);
});

afterAll(async () => {
  await services?.close();
  await modules?.close();
  data.remove();
});

describe('document service', () => {
  it('stores each document with its text, metadata and the vector of its text', async () => {
    const c = await fresh('stored');
    embedCalls = [];
    const docs = corpus().slice(0, 6);
    const report = await services.documents.upsert(c, docs);
    expect(report).toEqual({ ids: docs.map((d) => d.id), errors: [], upserted: 6, embedded: 6, seq: await services.store.maxSeq(c.key) });
    expect(embedCalls).toEqual([docs.map((d) => d.text)]);
    const rows = await services.documents.getByIds(c, [docs[2]!.id, 'nope', docs[0]!.id]);
    expect(rows.map((r) => r && { id: r.id, text: r.text, metadata: r.metadata })).toEqual([
      { id: docs[2]!.id, text: docs[2]!.text, metadata: docs[2]!.metadata },
      null,
      { id: docs[0]!.id, text: docs[0]!.text, metadata: docs[0]!.metadata },
    ]);
    // the vector of that text (embedded alone here: batch-mates move it by ~1e-7, not more)
    const [alone] = await modules.get().embed([docs[2]!.text]);
    const stored = await vectorOf(c, docs[2]!.id);
    expect(stored).toHaveLength(512);
    expect(Math.max(...stored.map((x, i) => Math.abs(x - alone![i]!)))).toBeLessThan(1e-5);
    expect(await services.documents.count(c)).toBe(6);
  });

  it('gives a document without an id a fresh UUID', async () => {
    const c = await fresh('uuids');
    const report = await services.documents.upsert(c, [{ text: 'No id was given for this one.' }, { id: null, text: 'Nor for this one.' }]);
    expect(report.errors).toEqual([]);
    for (const id of report.ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(report.ids).size).toBe(2);
    expect((await services.documents.getByIds(c, report.ids as string[])).map((r) => r?.text)).toEqual(['No id was given for this one.', 'Nor for this one.']);
  });

  it('embeds a text once however many documents of the batch or the collection hold it', async () => {
    const c = await fresh('dedup');
    embedCalls = [];
    const same = 'The same sentence, three times over.';
    const first = await services.documents.upsert(c, [{ id: 'a', text: same }, { id: 'b', text: same }, { id: 'c', text: 'Another one.' }]);
    expect(first).toMatchObject({ upserted: 3, embedded: 2 });
    expect(embedCalls).toEqual([[same, 'Another one.']]);
    // a later document with a stored text reuses its vector: nothing to embed
    const later = await services.documents.upsert(c, [{ id: 'd', text: same }]);
    expect(later).toMatchObject({ upserted: 1, embedded: 0 });
    expect(embedCalls).toHaveLength(1);
    expect(await vectorOf(c, 'd')).toEqual(await vectorOf(c, 'a'));
  });

  it('keeps the vector of an unchanged text and re-embeds a changed one', async () => {
    const c = await fresh('revisions');
    await services.documents.upsert(c, [{ id: 'r', text: 'The kettle boils quickly.', metadata: { v: 1 } }]);
    const [before] = await services.documents.getByIds(c, ['r']);
    const vectorBefore = await vectorOf(c, 'r');
    embedCalls = [];

    const same = await services.documents.upsert(c, [{ id: 'r', text: 'The kettle boils quickly.', metadata: { v: 2 } }]);
    expect(same).toMatchObject({ upserted: 1, embedded: 0 });
    expect(embedCalls).toEqual([]);
    const [after] = await services.documents.getByIds(c, ['r']);
    expect(after).toMatchObject({ key: before!.key, metadata: { v: 2 }, contentHash: before!.contentHash });
    expect(after!.seq).toBeGreaterThan(before!.seq);
    expect(Buffer.from((await vectorOf(c, 'r')).buffer).equals(Buffer.from(vectorBefore.buffer))).toBe(true);

    const changed = await services.documents.upsert(c, [{ id: 'r', text: 'The kettle leaks and rusts.' }]);
    expect(changed).toMatchObject({ upserted: 1, embedded: 1 });
    expect(embedCalls).toEqual([['The kettle leaks and rusts.']]);
    const [edited] = await services.documents.getByIds(c, ['r']);
    expect(edited).toMatchObject({ key: before!.key, text: 'The kettle leaks and rusts.', metadata: null });
    expect(edited!.contentHash).not.toBe(before!.contentHash);
    expect(Array.from(await vectorOf(c, 'r'))).not.toEqual(Array.from(vectorBefore));
  });

  it('lets the last occurrence of an id in a batch win', async () => {
    const c = await fresh('last-wins');
    const report = await services.documents.upsert(c, [
      { id: 'x', text: 'First version.', metadata: { n: 1 } },
      { id: 'y', text: 'Unrelated.' },
      { id: 'x', text: 'Second version.', metadata: { n: 2 } },
    ]);
    expect(report).toMatchObject({ ids: ['x', 'y', 'x'], upserted: 2 });
    const [x] = await services.documents.getByIds(c, ['x']);
    expect(x).toMatchObject({ text: 'Second version.', metadata: { n: 2 } });
    expect(await services.documents.count(c)).toBe(2);
  });

  it('reports each bad item with its index, id and code, and writes the good ones', async () => {
    const c = await fresh('item-errors');
    const report = await services.documents.upsert(c, [
      { id: 'ok-1', text: 'A fine review.' },
      { id: '', text: 'Empty id.' },
      { id: 'ctl\u0007', text: 'Control character in the id.' },
      { id: 'i'.repeat(257), text: 'Id too long.' },
      { id: 'blank', text: '   ' },
      { id: 'huge', text: 'x'.repeat(601) },
      { id: 'surrogate', text: 'half a pair \ud800 here' },
      { id: 'array-meta', text: 'Metadata is an array.', metadata: [1, 2] },
      { id: 'string-meta', text: 'Metadata is a string.', metadata: 'stars=5' },
      { id: 'fat-meta', text: 'Metadata too large.', metadata: { pad: 'p'.repeat(120) } },
      { text: 'No id and empty metadata object.', metadata: {} },
      { id: 'ok-2', text: 'Another fine review.', metadata: { stars: 4 } },
    ]);
    expect(report.errors).toEqual([
      { index: 1, id: '', code: 'BAD_USER_INPUT', message: 'id must not be empty' },
      { index: 2, id: 'ctl\u0007', code: 'BAD_USER_INPUT', message: 'id contains control characters' },
      { index: 3, id: 'i'.repeat(257), code: 'BAD_USER_INPUT', message: 'id is 257 characters long; the limit is 256' },
      { index: 4, id: 'blank', code: 'BAD_USER_INPUT', message: 'text must not be empty' },
      { index: 5, id: 'huge', code: 'TOO_LARGE', message: 'text is 601 bytes; the limit is 600 (SEMHUB_MAX_TEXT_BYTES)' },
      { index: 6, id: 'surrogate', code: 'BAD_USER_INPUT', message: 'text contains unpaired UTF-16 surrogates' },
      { index: 7, id: 'array-meta', code: 'BAD_USER_INPUT', message: 'metadata must be a JSON object, got an array' },
      { index: 8, id: 'string-meta', code: 'BAD_USER_INPUT', message: 'metadata must be a JSON object, got string' },
      { index: 9, id: 'fat-meta', code: 'TOO_LARGE', message: 'metadata is 130 bytes as JSON; the limit is 120 (SEMHUB_MAX_METADATA_BYTES)' },
    ]);
    expect(report.ids.slice(0, 10)).toEqual(['ok-1', null, null, null, null, null, null, null, null, null]);
    expect(report.ids[11]).toBe('ok-2');
    expect(report).toMatchObject({ upserted: 3, embedded: 3 });
    expect(await services.documents.count(c)).toBe(3);
    expect(await services.documents.getByIds(c, ['huge', 'fat-meta', 'blank'])).toEqual([null, null, null]);
  });

  it('refuses a batch over SEMHUB_MAX_BATCH as a whole, for upserts and deletes', async () => {
    const c = await fresh('batch-limit');
    const many = Array.from({ length: 41 }, (_, i) => ({ id: `m${i}`, text: `Review number ${i}.` }));
    expect(await failure(services.documents.upsert(c, many))).toEqual({
      code: 'TOO_LARGE', message: 'documents has 41 items; the limit is 40 per request (SEMHUB_MAX_BATCH)',
    });
    expect(await services.documents.count(c)).toBe(0);
    expect((await failure(services.documents.delete(c, many.map((d) => d.id)))).code).toBe('TOO_LARGE');
  });

  it('deletes documents by id, counting each live one once', async () => {
    const c = await fresh('deletes');
    await services.documents.upsert(c, corpus().slice(0, 5));
    const [gone] = await services.documents.getByIds(c, ['battery-1']);
    expect(await services.documents.delete(c, ['battery-1', 'battery-1', 'battery-3', 'never-was'])).toBe(2);
    expect(await services.documents.getByIds(c, ['battery-1', 'battery-3', 'battery-0'])).toEqual([null, null, expect.objectContaining({ id: 'battery-0' })]);
    expect(await services.documents.count(c)).toBe(3);
    expect(await services.documents.countDeleted(c)).toBe(2);
    expect(await services.documents.delete(c, ['battery-1'])).toBe(0);
    expect(await services.documents.getByKeys(c.key, [gone!.key])).toEqual([null]);
    // the id can be used again
    await services.documents.upsert(c, [{ id: 'battery-1', text: 'Back again.' }]);
    expect(await services.documents.count(c)).toBe(4);
  });

  it('lists documents under a filter, in pages, with the total of the filter', async () => {
    const c = await fresh('listing');
    await services.documents.upsert(c, corpus());
    const kitchen = await services.documents.list(c, { topic: 'kitchen' }, { first: 4 });
    expect(kitchen.rows).toHaveLength(4);
    for (const r of kitchen.rows) expect(r.metadata).toMatchObject({ topic: 'kitchen' });
    expect(await kitchen.total()).toBe(6);
    const next = await services.documents.list(c, { topic: 'kitchen' }, { first: 4, afterKey: kitchen.rows.at(-1)!.key });
    expect(next.rows.map((r) => r.id).sort()).toEqual(['kitchen-0', 'kitchen-1', 'kitchen-2', 'kitchen-3', 'kitchen-4', 'kitchen-5'].filter((id) => !kitchen.rows.some((r) => r.id === id)));
    const good = await services.documents.list(c, { or: [{ stars: { gte: 5 } }, { n: { in: [0, 1] } }] }, { first: 100 });
    const expected = corpus().filter((d) => d.metadata.stars >= 5 || d.metadata.n <= 1).map((d) => d.id);
    expect(good.rows.map((r) => r.id).sort()).toEqual(expected.sort());
    expect(await good.total()).toBe(expected.length);
    expect(await (await services.documents.list(c, null, { first: 1 })).total()).toBe(24);
    expect(await failure(services.documents.list(c, { stars: { like: 3 } }, { first: 1 }))).toEqual({
      code: 'BAD_USER_INPUT', message: 'filter.stars: unknown operator "like" (use eq, ne, gt, gte, lt, lte or in)',
    });
  });

  it('calls afterWrite after each committed write, and not when nothing was written', async () => {
    const c = await fresh('hooks');
    const calls: string[] = [];
    const docs = new DocumentService(services.store, modules, services.config.limits, { afterWrite: async (col) => void calls.push(col.name) });
    await docs.upsert(c, [{ id: 'h', text: 'Hooked.' }]);
    await docs.upsert(c, [{ id: 'bad', text: '' }]);
    await docs.delete(c, ['not-there']);
    await docs.delete(c, ['h']);
    expect(calls).toEqual(['hooks', 'hooks']);
  });

  it('refuses a collection bound to another module with CONFLICT before embedding anything', async () => {
    const info = modules.get().info;
    const c = await services.store.createCollection({
      name: 'other-module', module: { name: info.name, version: info.version, sha256: 'f'.repeat(64), dims: info.dims }, metric: 'cosine', hnsw: { m: 16, efConstruction: 200, ef: 64 },
    });
    embedCalls = [];
    const e = await failure(services.documents.upsert(c, [{ id: 'a', text: 'Would mix vectors of two modules.' }]));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toContain('collection "other-module" is bound to use-lite@1 (sha256 ffffffffffff…)');
    expect(embedCalls).toEqual([]);
    expect(await services.documents.count(c)).toBe(0);
  });
});
