/**
 * CollectionService on the real SQLite store and module registry, wired by createServices: a
 * collection is bound to the loaded module at creation, HNSW parameters are checked against their
 * ranges, lookups are cached until the collection is deleted (here, or elsewhere as the metadata
 * follower reports), and a delete runs the hooks that drop what derives from it (its index files).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleRegistry } from '../../src/modules/types.js';
import { CollectionService, HNSW_DEFAULTS } from '../../src/services/collections.js';
import { indexFileName } from '../../src/services/index-files.js';
import type { Services } from '../../src/services/services.js';
import { failure, loadModules, openServices, tempDataDir } from './support.js';

let modules: ModuleRegistry;
let services: Services;
const data = tempDataDir('collections');

beforeAll(async () => {
  modules = await loadModules();
  services = await openServices(data.dir, modules);
});

afterAll(async () => {
  await services?.close();
  await modules?.close();
  data.remove();
});

describe('collection service', () => {
  it('binds a new collection to the default module, cosine and the HNSW defaults', async () => {
    const c = await services.collections.create({ name: 'plain' });
    const { name, version, sha256, dims } = modules.get().info;
    expect(c).toMatchObject({ name: 'plain', module: { name, version, sha256, dims }, metric: 'cosine', hnsw: HNSW_DEFAULTS });
    expect(dims).toBe(512);
    expect(await services.collections.get('plain')).toEqual(c);
  });

  it('keeps the metric and the HNSW parameters it was given, defaults for the rest', async () => {
    const c = await services.collections.create({ name: 'tuned', metric: 'l2', hnsw: { m: 8, ef: 200, efConstruction: null } });
    expect(c.metric).toBe('l2');
    expect(c.hnsw).toEqual({ m: 8, efConstruction: HNSW_DEFAULTS.efConstruction, ef: 200 });
  });

  it('refuses HNSW parameters outside their range or not integers, naming the parameter and the range', async () => {
    const refused = async (hnsw: Record<string, number>) => failure(services.collections.create({ name: 'never', hnsw }));
    const range = (message: string) => ({ code: 'BAD_USER_INPUT', message });
    expect(await refused({ m: 1 })).toEqual(range('hnsw.m must be an integer from 2 to 128, got 1'));
    expect(await refused({ m: 129 })).toEqual(range('hnsw.m must be an integer from 2 to 128, got 129'));
    expect(await refused({ efConstruction: 7 })).toEqual(range('hnsw.efConstruction must be an integer from 8 to 4096, got 7'));
    expect(await refused({ ef: 1.5 })).toEqual(range('hnsw.ef must be an integer from 1 to 10000, got 1.5'));
    expect(await services.collections.find('never')).toBeNull();
  });

  it('refuses malformed names, an unknown module and a duplicate name with their codes', async () => {
    for (const name of ['1abc', 'has space', 'a'.repeat(65), 'dot.ted']) {
      expect(await failure(services.collections.create({ name }))).toEqual({
        code: 'BAD_USER_INPUT',
        message: `collection name "${name}" is invalid: use 1-64 characters, a letter first, then letters, digits, _ or -`,
      });
    }
    expect(await failure(services.collections.create({ name: '' }))).toEqual({ code: 'BAD_USER_INPUT', message: 'collection name must not be empty' });
    expect((await failure(services.collections.create({ name: 'other', module: 'no-such-module' }))).code).toBe('NOT_FOUND');
    expect(await services.collections.find('other')).toBeNull();
    await services.collections.create({ name: 'twice' });
    expect(await failure(services.collections.create({ name: 'twice' }))).toEqual({ code: 'CONFLICT', message: 'collection "twice" already exists' });
    expect((await failure(services.collections.find('bad name'))).code).toBe('BAD_USER_INPUT');
  });

  it('answers null from find and NOT_FOUND from get for a missing collection', async () => {
    expect(await services.collections.find('missing')).toBeNull();
    expect(await failure(services.collections.get('missing'))).toEqual({ code: 'NOT_FOUND', message: 'collection "missing" does not exist' });
  });

  it('lists collections in pages and counts them', async () => {
    const total = await services.collections.count();
    const all = await services.collections.list({ first: 100 });
    expect(all).toHaveLength(total);
    expect(all.map((c) => c.name)).toEqual(expect.arrayContaining(['plain', 'tuned', 'twice']));
    const first = await services.collections.list({ first: 2 });
    const rest = await services.collections.list({ first: 100, afterKey: first.at(-1)!.key });
    expect([...first, ...rest].map((c) => c.name)).toEqual(all.map((c) => c.name));
  });

  it('deletes a collection with its documents and its index files, once', async () => {
    const c = await services.collections.create({ name: 'doomed' });
    await services.documents.upsert(c, [{ id: 'a', text: 'A short review of a kettle.' }]);
    await services.indexes.saveAll();
    const indexDir = path.join(data.dir, 'indexes');
    const name = indexFileName(c.key, c.module.sha256);
    const files = () => readdirSync(indexDir).filter((f) => f.startsWith(`collection-${c.key}-`));
    expect(files().sort()).toEqual([`${name}.hnsw`, `${name}.meta.json`]);

    expect(await services.collections.delete('doomed')).toBe(true);
    expect(await services.collections.find('doomed')).toBeNull();
    expect(files()).toEqual([]);
    expect(await services.collections.delete('doomed')).toBe(false);
    // a new collection of the same name starts empty
    const again = await services.collections.create({ name: 'doomed' });
    expect(await services.documents.count(again)).toBe(0);
  });

  it('runs onDeleted with the deleted row, and not for a collection that was not there', async () => {
    const deleted: string[] = [];
    const own = new CollectionService(services.store, modules, { onDeleted: async (c) => void deleted.push(c.name) });
    await own.create({ name: 'hooked' });
    expect(await own.delete('hooked')).toBe(true);
    expect(await own.delete('hooked')).toBe(false);
    expect(deleted).toEqual(['hooked']);
  });

  /** Two collection services on one store, as on two processes; `deleted` holds the keys `here` ran its hook for. */
  const twoProcesses = () => {
    const deleted: number[] = [];
    const here = new CollectionService(services.store, modules, { onDeleted: async (c) => void deleted.push(c.key) });
    return { deleted, here, replica: new CollectionService(services.store, modules) };
  };

  it('serves a found collection from its cache until it is deleted here or reported deleted elsewhere', async () => {
    const { deleted, here, replica } = twoProcesses();
    const c = await here.create({ name: 'cached' });
    expect(await here.find('cached')).toEqual(c);
    expect(here.cached()).toEqual([c]);
    // deleted and re-created through another process: the cache still answers until it is told…
    expect(await replica.delete('cached')).toBe(true);
    const again = await replica.create({ name: 'cached' });
    expect(await here.find('cached')).toEqual(c);
    // …and then forgets the old row, runs its hooks, and finds the new collection under its new key
    await here.deletedElsewhere(c);
    expect(deleted).toEqual([c.key]);
    expect(here.cached()).toEqual([]);
    expect(await here.find('cached')).toEqual(again);
    // a delete through the same service evicts at once
    expect(await here.delete('cached')).toBe(true);
    expect(await here.find('cached')).toBeNull();
  });

  it('reads the store for a read that waits for a seq (current), forgetting a cached row deleted elsewhere', async () => {
    const { deleted, here, replica } = twoProcesses();
    const c = await here.create({ name: 'current' });
    expect(await here.find('current')).toEqual(c);
    await replica.delete('current');
    const again = await replica.create({ name: 'current' });
    expect(await here.current('current')).toEqual(again);
    expect(deleted).toEqual([c.key]);
    expect(await here.find('current')).toEqual(again);
    await replica.delete('current');
    expect(await here.current('current')).toBeNull();
    expect(deleted).toEqual([c.key, again.key]);
  });
});
