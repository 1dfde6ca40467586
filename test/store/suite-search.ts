/**
 * The search part of the store suite: vectors by key, filter allow-lists (documentKeys) and
 * BM25 keyword search. The documents-vs-`matches()` agreement of documentKeys and keywordSearch
 * under every filter of the filter table lives in suite-filters.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Filter } from '../../src/services/filter.js';
import type { CollectionRow } from '../../src/store/types.js';
import { KEY_CHUNK } from '../../src/store/upsert-plan.js';
import { bytesOf, doc, MODULE_SHA, vectorFor, type SuiteContext } from './suite-support.js';

/** Filler words no test searches for: they give BM25 a realistic collection size. */
const FILLER = ['meadow', 'harbor', 'lantern', 'granite', 'orchard', 'compass', 'velvet', 'tundra'];

/** Registers the search tests. */
export function searchTests(ctx: SuiteContext): void {
  describe('search reads', () => {
    /** Upserts `texts` as documents t0, t1, … (metadata `{i}`) plus filler, and returns keys by id. */
    async function corpus(c: CollectionRow, texts: string[], filler = 12): Promise<Map<string, number>> {
      const docs = texts.map((t, i) => doc(`t${i}`, t, { i }));
      for (let i = 0; i < filler; i++) docs.push(doc(`f${i}`, `${FILLER[i % FILLER.length]} ${FILLER[(i + 3) % FILLER.length]} filler`, { filler: true }));
      const out = await ctx.store().upsertDocuments(c.key, docs);
      return new Map(out.written.map((w) => [w.id, w.key]));
    }
    const search = (c: CollectionRow, q: string, limit = 50, filter: Filter | null = null) =>
      ctx.store().keywordSearch(c.key, q, limit, filter);

    it('reads vectors by key in request order, null for missing, deleted and foreign keys', async () => {
      const c = await ctx.collection('vkeys');
      const other = await ctx.collection('vkeys-other');
      const out = await ctx.store().upsertDocuments(c.key, [1, 2, 3].map((i) => doc(`v${i}`, `t${i}`, null, vectorFor(i))));
      const [foreign] = (await ctx.store().upsertDocuments(other.key, [doc('x', 'x', null, vectorFor(9))])).written;
      await ctx.store().deleteDocuments(c.key, ['v2']);
      const [k1, k2, k3] = out.written.map((w) => w.key);
      const got = await ctx.store().getVectorsByKeys(c.key, MODULE_SHA, [k3!, 999_999_999, k1!, k2!, foreign!.key, k3!]);
      expect(got.map((v) => (v ? bytesOf(v) : null))).toEqual([
        bytesOf(vectorFor(3)), null, bytesOf(vectorFor(1)), null, null, bytesOf(vectorFor(3)),
      ]);
      expect(got[0]).toBeInstanceOf(Float32Array);
      expect(await ctx.store().getVectorsByKeys(c.key, MODULE_SHA, [])).toEqual([]);
    });

    it('reads more vectors by key than one statement may bind', async () => {
      const c = await ctx.collection('vkeys-many');
      const n = KEY_CHUNK + 300;
      const out = await ctx.store().upsertDocuments(c.key, Array.from({ length: n }, (_, i) => doc(`m${i}`, `m${i}`, null, vectorFor(i))));
      const keys = out.written.map((w) => w.key).reverse();
      const got = await ctx.store().getVectorsByKeys(c.key, MODULE_SHA, [...keys, -1]);
      expect(got).toHaveLength(n + 1);
      expect(got[n]).toBeNull();
      expect(got.slice(0, n).every((v, i) => v instanceof Float32Array && bytesOf(v).join() === bytesOf(vectorFor(n - 1 - i)).join())).toBe(true);
    });

    it('lists the keys of live documents, ascending, as an Int32Array', async () => {
      const c = await ctx.collection('dkeys');
      const other = await ctx.collection('dkeys-other');
      expect(await ctx.store().documentKeys(c.key, null)).toEqual(new Int32Array(0));
      const out = await ctx.store().upsertDocuments(c.key, ['e', 'd', 'c', 'b', 'a'].map((id) => doc(id)));
      await ctx.store().upsertDocuments(other.key, [doc('z')]);
      await ctx.store().deleteDocuments(c.key, ['c']);
      const keys = await ctx.store().documentKeys(c.key, null);
      expect(keys).toBeInstanceOf(Int32Array);
      const want = out.written.filter((w) => w.id !== 'c').map((w) => w.key).sort((a, b) => a - b);
      expect(Array.from(keys)).toEqual(want);
      await ctx.store().upsertDocuments(c.key, [doc('c', 'back')]);
      expect(await ctx.store().documentKeys(c.key, null)).toHaveLength(5);
    });

    it('finds documents by their words, case-insensitively, and nothing else', async () => {
      const c = await ctx.collection('kw-find');
      const keys = await corpus(c, ['The quick brown fox jumps', 'A lazy dog sleeps', 'Quick thinking saves the day']);
      const hits = await search(c, 'QUICK');
      expect(hits.map((h) => h.key).sort((a, b) => a - b)).toEqual([keys.get('t0'), keys.get('t2')].sort((a, b) => a! - b!));
      expect((await search(c, 'dog')).map((h) => h.key)).toEqual([keys.get('t1')]);
      expect(await search(c, 'elephant')).toEqual([]);
      const other = await ctx.collection('kw-find-other');
      expect(await search(other, 'quick dog')).toEqual([]);
    });

    it('ranks more matched words and rarer words higher, with positive scores, best first', async () => {
      const c = await ctx.collection('kw-rank');
      const keys = await corpus(c, [
        'solar panel with a battery pack',
        'a battery for the phone',
        'solar power station',
        'meadow picnic',
        'zircon gem',
      ]);
      const hits = await search(c, 'solar panel battery');
      expect(hits.map((h) => h.key).sort((a, b) => a - b)).toEqual(['t0', 't1', 't2'].map((id) => keys.get(id)!).sort((a, b) => a - b));
      expect(hits[0]!.key).toBe(keys.get('t0'));
      expect(hits.every((h) => h.score > 0 && Number.isFinite(h.score))).toBe(true);
      expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
      // "meadow" is also in several filler documents, "zircon" in one: the rare word weighs more.
      const rare = await search(c, 'meadow zircon');
      expect(rare[0]!.key).toBe(keys.get('t4'));
      expect(rare.map((h) => h.key)).toContain(keys.get('t3'));
      expect(rare.length).toBeGreaterThan(2);
    });

    it('stems English words both ways', async () => {
      const c = await ctx.collection('kw-stem');
      const keys = await corpus(c, ['one battery left', 'running shoes for runners', 'connected devices']);
      expect((await search(c, 'batteries')).map((h) => h.key)).toEqual([keys.get('t0')]);
      expect((await search(c, 'run')).map((h) => h.key)).toEqual([keys.get('t1')]);
      expect((await search(c, 'connection')).map((h) => h.key)).toEqual([keys.get('t2')]);
    });

    it('never lets a hostile query throw or act as query syntax', async () => {
      const c = await ctx.collection('kw-hostile');
      const keys = await corpus(c, ['battery charger', 'a house near the river', 'plain words']);
      const battery = [keys.get('t0')];
      const nothing = ['"', '""', '*', '-', ':', "'", ')', '(', 'OR', 'AND', 'NOT', '^', '{}', '\\', '&|!<->',
        '', '   ', '\u0000', '\ud800', '🔋', 'x'.repeat(10_000), '"*'.repeat(5_000), '日本語', 'text:', '\u0301'];
      for (const q of nothing) {
        const hits = await search(c, q);
        expect(hits, JSON.stringify(q.slice(0, 20))).toEqual([]);
      }
      const finds = ['"battery', 'battery"', 'battery*', '-battery', 'text:battery', '"text":battery',
        "battery' OR 1=1 --", 'battery)', '(battery', 'battery OR', 'OR battery', 'battery AND',
        'NOT battery', 'battery:*', '!battery', 'battery & | <-> ', '\u0000battery', 'battery\ud800', '🔋battery',
        'battery\\', `${'nonsense '.repeat(1_100)}battery`.slice(-10_000), `battery ${'"*-:() '.repeat(1_700)}`];
      for (const q of finds) {
        const hits = await search(c, q);
        expect(hits.map((h) => h.key), JSON.stringify(q.slice(0, 40))).toEqual(battery);
      }
      // Operators are plain words: NEAR is the word "near" (of t1), not FTS5's NEAR group.
      expect((await search(c, 'NEAR(river)')).map((h) => h.key)).toEqual([keys.get('t1')]);
      expect((await search(c, 'NEAR(')).map((h) => h.key)).toEqual([keys.get('t1')]);
      const near = await search(c, 'NEAR(battery charger, 2)');
      expect(near[0]!.key).toBe(keys.get('t0'));
      expect(near.map((h) => h.key).sort((a, b) => a - b)).toEqual([keys.get('t0')!, keys.get('t1')!].sort((a, b) => a - b));
    });

    it('searches replaced text by its new words only', async () => {
      const c = await ctx.collection('kw-replace');
      const keys = await corpus(c, ['quartz obelisk']);
      expect((await search(c, 'obelisk')).map((h) => h.key)).toEqual([keys.get('t0')]);
      await ctx.store().upsertDocuments(c.key, [doc('t0', 'sapphire pyramid')]);
      expect(await search(c, 'obelisk quartz')).toEqual([]);
      expect((await search(c, 'pyramid')).map((h) => h.key)).toEqual([keys.get('t0')]);
      // Same text again (no re-index) and a metadata-only change keep it searchable.
      await ctx.store().upsertDocuments(c.key, [doc('t0', 'sapphire pyramid', { v: 2 })]);
      expect((await search(c, 'sapphire')).map((h) => h.key)).toEqual([keys.get('t0')]);
    });

    it('never matches soft-deleted documents, and matches revived ones again', async () => {
      const c = await ctx.collection('kw-deleted');
      const keys = await corpus(c, ['walrus tusk', 'walrus colony']);
      await ctx.store().deleteDocuments(c.key, ['t0']);
      expect((await search(c, 'walrus tusk')).map((h) => h.key)).toEqual([keys.get('t1')]);
      expect(await search(c, 'tusk')).toEqual([]);
      await ctx.store().upsertDocuments(c.key, [doc('t0', 'walrus tusk')]);
      expect((await search(c, 'tusk')).map((h) => h.key)).toEqual([keys.get('t0')]);
      await ctx.store().deleteDocuments(c.key, ['t0', 't1']);
      expect(await search(c, 'walrus')).toEqual([]);
    });

    it('restricts hits to the filter and respects the limit', async () => {
      const c = await ctx.collection('kw-filter');
      const texts = Array.from({ length: 6 }, (_, i) => `nebula ${'nebula '.repeat(i)}star`);
      const keys = await corpus(c, texts);
      const all = await search(c, 'nebula', 100);
      expect(all).toHaveLength(6);
      const top2 = await search(c, 'nebula', 2);
      expect(top2).toEqual(all.slice(0, 2));
      expect(await search(c, 'nebula', 0)).toEqual([]);
      const even = await search(c, 'nebula star', 100, { op: 'in', key: 'i', values: [0, 2, 4] });
      expect(even.map((h) => h.key).sort((a, b) => a - b)).toEqual(['t0', 't2', 't4'].map((id) => keys.get(id)!).sort((a, b) => a - b));
      const none = await search(c, 'nebula', 100, { op: 'cmp', key: 'filler', cmp: 'eq', value: true });
      expect(none).toEqual([]);
    });

    it('indexes a document of more than 1 MiB of distinct words without failing the write', async () => {
      const c = await ctx.collection('kw-huge');
      // ~1.2 MB of distinct words: more lexeme bytes than one PostgreSQL tsvector holds (1 MiB).
      const words = Array.from({ length: 150_000 }, (_, i) => `w${(i * 2654435761 >>> 0).toString(36)}`);
      // (A real content hash: the suite's `h:<text>` would not fit PostgreSQL's btree index.)
      const huge = { ...doc('huge', `krypton ${words.join(' ')}`), contentHash: 'f'.repeat(64) };
      const [w] = (await ctx.store().upsertDocuments(c.key, [huge])).written;
      expect((await search(c, 'krypton')).map((h) => h.key)).toEqual([w!.key]);
      expect((await search(c, words[10]!)).map((h) => h.key)).toEqual([w!.key]);
    });

    it("scores a collection's keywords by its own documents: writing another collection changes nothing", async () => {
      const c = await ctx.collection('kw-own');
      await corpus(c, ['the zephyr blows over the quay', 'a zephyr and a gale', 'quay walls of stone']);
      const before = await search(c, 'zephyr quay');
      expect(before.length).toBe(3);
      // Another collection where "zephyr" is everywhere: shared statistics would make it a common
      // (cheap) word and reorder or rescale this collection's hits.
      const other = await ctx.collection('kw-own-other');
      await ctx.store().upsertDocuments(other.key, Array.from({ length: 60 }, (_, i) => doc(`z${i}`, `zephyr zephyr number ${i}`)));
      expect(await search(c, 'zephyr quay')).toEqual(before);
      expect((await search(other, 'quay'))).toEqual([]);
    });
  });
}
