/**
 * Caches that follow the store across processes, with two service stacks ("processes" A and B)
 * on one SQLite file and their own index folders. B's store is given a change feed the test
 * drives, standing in for PostgreSQL's LISTEN/NOTIFY: a collection deleted (and re-created) by A
 * leaves B's collection cache and index at its notice, or at B's poll when no notice comes; a
 * collection created by A gets its index opened on B at its notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import type { ModuleRegistry } from '../../src/modules/types.js';
import { createServices, type Services } from '../../src/services/services.js';
import { openStore } from '../../src/store/open.js';
import type { ChangeNotice, Store } from '../../src/store/types.js';
import { failure, loadModules, openServices, tempDataDir, testConfig } from './support.js';

const dataA = tempDataDir('follow-a');
const dataB = tempDataDir('follow-b');
let modules: ModuleRegistry;
let a: Services;
const stores: Store[] = [];
const listeners = new Set<(n: ChangeNotice) => void>();
const notify = (n: ChangeNotice) => listeners.forEach((l) => l(n));

/** Process B on A's store file: its own indexes, a test-driven change feed, a poll of `pollMs`. */
async function processB(pollMs: number): Promise<Services> {
  const raw = await openStore({ dataDir: dataA.dir });
  stores.push(raw);
  const store: Store = { ...raw, onChange: (l) => (listeners.add(l), () => listeners.delete(l)) };
  return createServices(testConfig(dataB.dir, { SEMHUB_INDEX_POLL_MS: String(pollMs) }), store, modules, createLogger('silent'));
}

/** Runs `test` against a process B of poll `pollMs` (processB), closed after it. */
async function withB(pollMs: number, test: (b: Services) => Promise<void>): Promise<void> {
  const b = await processB(pollMs);
  try {
    await test(b);
  } finally {
    await b.close();
  }
}

const until = async (ok: () => boolean | Promise<boolean>, ms = 3000) => {
  for (const deadline = Date.now() + ms; !(await ok()); ) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const holds = (s: Services, key: number) => s.collections.cached().some((c) => c.key === key) || s.indexes.loaded().some((c) => c.key === key);

beforeAll(async () => {
  modules = await loadModules();
  a = await openServices(dataA.dir, modules);
});

afterAll(async () => {
  await a?.close();
  for (const s of stores) await s.close();
  await modules?.close();
  dataA.remove();
  dataB.remove();
});

describe('metadata follower', () => {
  it('forgets a collection deleted by another process at its notice; the one re-created under its name is served under its new key', () =>
    withB(0, async (b) => {
      const old = await a.collections.create({ name: 'renamed' });
      await a.documents.upsert(old, [{ id: 'x', text: 'The old collection had this document.' }]);
      const seen = await b.collections.get('renamed');
      expect((await b.search.search(seen, { text: 'old collection', limit: 1 })).map((h) => h.document.id)).toEqual(['x']);
      expect(holds(b, old.key)).toBe(true);

      await a.collections.delete('renamed');
      const fresh = await a.collections.create({ name: 'renamed' });
      notify({ kind: 'collection', collectionKey: old.key, name: 'renamed', deleted: true });
      await until(() => !holds(b, old.key));
      // a request that looked the old row up before the delete cannot reopen its index
      expect((await failure(b.indexes.get(old))).code).toBe('NOT_FOUND');
      const now = await b.collections.get('renamed');
      expect(now.key).toBe(fresh.key);
      expect(await b.search.search(now, { text: 'old collection', limit: 1 })).toEqual([]);
    }));

  it('finds the deletion by its poll when no notice comes', () =>
    withB(50, async (b) => {
      const c = await a.collections.create({ name: 'polled' });
      await b.indexes.get(await b.collections.get('polled'));
      await a.collections.delete('polled');
      await until(() => !holds(b, c.key), 2000);
      expect(await b.collections.find('polled')).toBeNull();
    }));

  it('opens the index of a collection created by another process at its notice', () =>
    withB(0, async (b) => {
      const c = await a.collections.create({ name: 'announced' });
      expect(holds(b, c.key)).toBe(false);
      notify({ kind: 'collection', collectionKey: c.key, name: 'announced', deleted: false });
      await until(() => b.indexes.loaded().some((l) => l.key === c.key));
    }));
});
