/** The document part of the store suite: upserts, deletes, reads, vectors, changes. */
import { describe, expect, it } from 'vitest';
import { bytesOf, DIMS, doc, MODULE_SHA, vectorFor, type SuiteContext } from './suite-support.js';

/** Registers the document tests. */
export function documentTests(ctx: SuiteContext): void {
  describe('documents', () => {
    it('inserts new documents with distinct keys and rising seqs', async () => {
      const c = await ctx.collection('insert');
      const out = await ctx.store().upsertDocuments(c.key, [doc('a', 'alpha', { lang: 'en' }), doc('b'), doc('c')]);
      expect(out.written.map((w) => [w.id, w.created, w.changed])).toEqual([['a', true, true], ['b', true, true], ['c', true, true]]);
      expect(new Set(out.written.map((w) => w.key)).size).toBe(3);
      const seqs = out.written.map((w) => w.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      const [a] = await ctx.store().getDocumentsByIds(c.key, ['a']);
      expect(a).toMatchObject({ id: 'a', text: 'alpha', metadata: { lang: 'en' }, contentHash: 'h:alpha', key: out.written[0]!.key, seq: seqs[0], deletedAt: null });
      expect(a!.createdAt).toBeInstanceOf(Date);
      expect(a!.updatedAt.getTime()).toBe(a!.createdAt.getTime());
    });

    it('replaces a document by id under the same key with a new seq', async () => {
      const c = await ctx.collection('replace');
      const [first] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'old', { v: 1 })])).written;
      const [second] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'new', { v: 2 })])).written;
      expect(second).toMatchObject({ id: 'a', key: first!.key, created: false, changed: true });
      expect(second!.seq).toBeGreaterThan(first!.seq);
      const [row] = await ctx.store().getDocumentsByIds(c.key, ['a']);
      expect(row).toMatchObject({ text: 'new', metadata: { v: 2 }, contentHash: 'h:new', seq: second!.seq });
      expect(row!.updatedAt.getTime()).toBeGreaterThanOrEqual(row!.createdAt.getTime());
      expect(await ctx.store().countDocuments(c.key)).toBe(1);
    });

    it('reports changed=false for an identical upsert (metadata key order ignored), still with a new seq', async () => {
      const c = await ctx.collection('unchanged');
      const [first] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'same', { x: 1, y: { p: [1, 2] } })])).written;
      const [again] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'same', { y: { p: [1, 2] }, x: 1 })])).written;
      expect(again).toMatchObject({ key: first!.key, created: false, changed: false });
      expect(again!.seq).toBeGreaterThan(first!.seq);
      const [meta] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'same', { x: 2, y: { p: [1, 2] } })])).written;
      expect(meta).toMatchObject({ created: false, changed: true });
      const [nulled] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'same', null)])).written;
      expect(nulled).toMatchObject({ changed: true });
    });

    it('lets the last of duplicate ids in one call win', async () => {
      const c = await ctx.collection('dupes');
      const out = await ctx.store().upsertDocuments(c.key, [doc('a', 'one'), doc('b'), doc('a', 'two')]);
      expect(out.written.map((w) => w.id)).toEqual(['a', 'b', 'a']);
      expect(out.written[0]!.key).toBe(out.written[2]!.key);
      const [a] = await ctx.store().getDocumentsByIds(c.key, ['a']);
      expect(a!.text).toBe('two');
      expect(await ctx.store().countDocuments(c.key)).toBe(2);
    });

    it('revives a soft-deleted id under its old key', async () => {
      const c = await ctx.collection('revive');
      const [first] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'v1')])).written;
      expect(await ctx.store().deleteDocuments(c.key, ['a'])).toBe(1);
      expect(await ctx.store().countDeleted(c.key)).toBe(1);
      const [revived] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'v1')])).written;
      expect(revived).toMatchObject({ key: first!.key, created: true, changed: true });
      const [row] = await ctx.store().getDocumentsByIds(c.key, ['a']);
      expect(row).toMatchObject({ id: 'a', deletedAt: null });
      expect(await ctx.store().countDeleted(c.key)).toBe(0);
      expect(await ctx.store().countDocuments(c.key)).toBe(1);
    });

    it('keeps the key and created_at of an updated id, moving only updated_at and seq', async () => {
      const c = await ctx.collection('keep');
      const [first] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'v1', { v: 1 })])).written;
      const [before] = await ctx.store().getDocumentsByIds(c.key, ['a']);
      await new Promise((r) => setTimeout(r, 5));
      const [second] = (await ctx.store().upsertDocuments(c.key, [doc('a', 'v2', null)])).written;
      const [after] = await ctx.store().getDocumentsByIds(c.key, ['a']);
      expect(after).toMatchObject({ key: first!.key, text: 'v2', metadata: null, contentHash: 'h:v2', seq: second!.seq, deletedAt: null });
      expect(after!.createdAt.getTime()).toBe(before!.createdAt.getTime());
      expect(after!.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
      expect(bytesOf((await ctx.store().getVectorsByKeys(c.key, MODULE_SHA, [first!.key]))[0]!)).toEqual(bytesOf(doc('a', 'v2').vector));
    });

    it('writes nothing of a call that fails inside its transaction, keyword index included', async () => {
      const c = await ctx.collection('atomic');
      await ctx.store().upsertDocuments(c.key, [doc('a', 'old copper')]);
      // JSON cannot encode a BigInt: the call fails after its prior-row reads, at its writes
      const bad = doc('bad', 'brass', { n: 10n });
      await expect(ctx.store().upsertDocuments(c.key, [doc('a', 'new silver'), doc('b', 'silver too'), bad])).rejects.toThrow(/^store: upsertDocuments failed/);
      expect((await ctx.store().getDocumentsByIds(c.key, ['a', 'b', 'bad'])).map((r) => r?.text ?? null)).toEqual(['old copper', null, null]);
      expect(await ctx.store().countDocuments(c.key)).toBe(1);
      expect(await ctx.store().keywordSearch(c.key, 'silver', 10, null)).toEqual([]);
      expect(await ctx.store().keywordSearch(c.key, 'copper', 10, null)).toHaveLength(1);
    });

    it('upserts and deletes more documents in one call than one statement may bind, revivals and duplicates mixed', async () => {
      const c = await ctx.collection('many');
      const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `d${from + i}`);
      const first = (await ctx.store().upsertDocuments(c.key, ids(0, 700).map((id) => doc(id)))).written;
      const keyOf = new Map(first.map((w) => [w.id, w.key]));
      expect(await ctx.store().deleteDocuments(c.key, [...ids(0, 300), 'd0', 'missing'])).toBe(300);
      const top = await ctx.store().maxSeq(c.key);
      const batch = [...ids(200, 1300).map((id) => doc(id, `new ${id}`)), doc('d250', 'last wins')];
      const out = (await ctx.store().upsertDocuments(c.key, batch)).written;
      expect(out).toHaveLength(1101);
      const byId = new Map(out.map((w) => [w.id, w]));
      expect(byId.get('d250')).toMatchObject({ key: keyOf.get('d250'), created: true, changed: true });
      expect(byId.get('d400')).toMatchObject({ key: keyOf.get('d400'), created: false, changed: true });
      expect(byId.get('d1000')).toMatchObject({ created: true, changed: true });
      expect(out.every((w) => w.seq > top)).toBe(true);
      expect(new Set(out.map((w) => w.seq)).size).toBe(1100);
      expect(new Set(out.map((w) => w.key)).size).toBe(1100);
      expect((await ctx.store().getDocumentsByIds(c.key, ['d250']))[0]!.text).toBe('last wins');
      expect(await ctx.store().countDocuments(c.key)).toBe(1300 - 200);
      expect(await ctx.store().countDeleted(c.key)).toBe(200);
      expect(await ctx.store().deleteDocuments(c.key, ids(0, 1300))).toBe(1100);
      expect(await ctx.store().countDocuments(c.key)).toBe(0);
    });

    it('soft-deletes and counts only documents that were live', async () => {
      const c = await ctx.collection('delete');
      await ctx.store().upsertDocuments(c.key, [doc('a'), doc('b'), doc('c')]);
      expect(await ctx.store().deleteDocuments(c.key, ['a', 'a', 'missing'])).toBe(1);
      expect(await ctx.store().deleteDocuments(c.key, ['a'])).toBe(0);
      expect(await ctx.store().deleteDocuments(c.key, [])).toBe(0);
      expect(await ctx.store().countDocuments(c.key)).toBe(2);
      expect(await ctx.store().countDeleted(c.key)).toBe(1);
    });

    it('reads by ids and by keys in request order, null where missing or deleted', async () => {
      const c = await ctx.collection('byids');
      const out = await ctx.store().upsertDocuments(c.key, [doc('a'), doc('b'), doc('c'), doc('gone')]);
      await ctx.store().deleteDocuments(c.key, ['gone']);
      const rows = await ctx.store().getDocumentsByIds(c.key, ['c', 'missing', 'a', 'gone', 'a']);
      expect(rows.map((r) => r?.id ?? null)).toEqual(['c', null, 'a', null, 'a']);
      const [ka, , kc, kgone] = out.written.map((w) => w.key);
      const byKey = await ctx.store().getDocumentsByKeys(c.key, [kc!, 999_999_999, ka!, kgone!]);
      expect(byKey.map((r) => r?.id ?? null)).toEqual(['c', null, 'a', null]);
      const other = await ctx.collection('byids-other');
      expect(await ctx.store().getDocumentsByIds(other.key, ['a'])).toEqual([null]);
      expect(await ctx.store().getDocumentsByIds(c.key, [])).toEqual([]);
    });

    it('lists live documents by key, page after page', async () => {
      const c = await ctx.collection('list');
      await ctx.store().upsertDocuments(c.key, ['e', 'd', 'c', 'b', 'a'].map((id) => doc(id)));
      await ctx.store().deleteDocuments(c.key, ['c']);
      const all = await ctx.store().listDocuments(c.key, null, { first: 100 });
      expect(all.map((d) => d.id)).toEqual(['e', 'd', 'b', 'a']);
      const p1 = await ctx.store().listDocuments(c.key, null, { first: 2 });
      const p2 = await ctx.store().listDocuments(c.key, null, { first: 2, afterKey: p1[1]!.key });
      const p3 = await ctx.store().listDocuments(c.key, null, { first: 2, afterKey: p2[1]!.key });
      expect([...p1, ...p2].map((d) => d.id)).toEqual(['e', 'd', 'b', 'a']);
      expect(p3).toEqual([]);
    });

    it('round-trips vectors bit for bit into aligned arrays it owns', async () => {
      const c = await ctx.collection('bits');
      const bits = [0x7fc00001, 0x80000000, 0x00000001, 0x7f800000, 0xff800000, 0x3f800000, 0x12345678, 0xfffffffe];
      const vecs = [0, 4].map((o) => new Float32Array(new Uint32Array(bits.slice(o, o + DIMS)).buffer));
      // An unaligned view as input: the store must copy the view, not the whole buffer.
      const backing = new ArrayBuffer(4 * DIMS + 8);
      const view = new Float32Array(backing, 4, DIMS);
      new Uint32Array(view.buffer, view.byteOffset, DIMS).set(bits.slice(4, 8));
      const out = await ctx.store().upsertDocuments(c.key, [doc('v0', 't0', null, vecs[0]), doc('v1', 't1', null, view)]);
      const check = (got: Float32Array | null | undefined, want: Float32Array) => {
        expect(got).toBeInstanceOf(Float32Array);
        expect(got!.byteOffset).toBe(0);
        expect(got!.buffer.byteLength).toBe(4 * DIMS);
        expect(bytesOf(got!)).toEqual(bytesOf(want));
      };
      const listed = await ctx.store().vectors(c.key, MODULE_SHA, null, { first: 10 });
      check(listed[0]!.vector, vecs[0]!);
      check(listed[1]!.vector, view);
      const byHash = await ctx.store().vectorsByContentHash(c.key, MODULE_SHA, ['h:t0', 'h:t1', 'h:none']);
      expect([...byHash.keys()].sort()).toEqual(['h:t0', 'h:t1']);
      check(byHash.get('h:t1'), view);
      const changes = await ctx.store().changesSince(c.key, MODULE_SHA, 0, 10);
      check(changes.find((ch) => ch.key === out.written[0]!.key)!.vector, vecs[0]!);
    });

    it('finds cached vectors by content hash, deleted documents included', async () => {
      const c = await ctx.collection('hash');
      await ctx.store().upsertDocuments(c.key, [doc('a', 'shared', null, vectorFor(1)), doc('b', 'shared', null, vectorFor(1)), doc('c', 'lonely', null, vectorFor(2))]);
      await ctx.store().deleteDocuments(c.key, ['c']);
      const got = await ctx.store().vectorsByContentHash(c.key, MODULE_SHA, ['h:shared', 'h:lonely', 'h:missing', 'h:shared']);
      expect(bytesOf(got.get('h:shared')!)).toEqual(bytesOf(vectorFor(1)));
      expect(bytesOf(got.get('h:lonely')!)).toEqual(bytesOf(vectorFor(2)));
      expect(got.has('h:missing')).toBe(false);
      const other = await ctx.collection('hash-other');
      expect((await ctx.store().vectorsByContentHash(other.key, MODULE_SHA, ['h:shared'])).size).toBe(0);
    });

    it('lists live vectors by key with keyset pages', async () => {
      const c = await ctx.collection('vectors');
      const out = await ctx.store().upsertDocuments(c.key, [1, 2, 3, 4].map((i) => doc(`v${i}`, `t${i}`, { i }, vectorFor(i))));
      await ctx.store().deleteDocuments(c.key, ['v2']);
      const keys = out.written.map((w) => w.key);
      const p1 = await ctx.store().vectors(c.key, MODULE_SHA, null, { first: 2 });
      const p2 = await ctx.store().vectors(c.key, MODULE_SHA, null, { first: 2, afterKey: p1[1]!.key });
      expect([...p1, ...p2].map((v) => v.key)).toEqual([keys[0], keys[2], keys[3]]);
      expect(bytesOf(p1[1]!.vector)).toEqual(bytesOf(vectorFor(3)));
      expect(bytesOf(p2[0]!.vector)).toEqual(bytesOf(vectorFor(4)));
    });

    it('reports changes in seq order, deletions without vectors, and the max seq', async () => {
      const c = await ctx.collection('changes');
      expect(await ctx.store().maxSeq(c.key)).toBe(0);
      expect(await ctx.store().changesSince(c.key, MODULE_SHA, 0, 10)).toEqual([]);
      const w1 = (await ctx.store().upsertDocuments(c.key, [doc('a'), doc('b')])).written;
      const other = await ctx.collection('changes-other');
      await ctx.store().upsertDocuments(other.key, [doc('x')]);
      await ctx.store().deleteDocuments(c.key, ['a']);
      const [b2] = (await ctx.store().upsertDocuments(c.key, [doc('b', 'b again')])).written;
      const all = await ctx.store().changesSince(c.key, MODULE_SHA, 0, 100);
      expect(all.map((ch) => [ch.key, ch.deleted])).toEqual([[w1[0]!.key, true], [w1[1]!.key, false]]);
      expect(all[0]!.vector).toBeNull();
      expect(bytesOf(all[1]!.vector!)).toEqual(bytesOf(doc('b', 'b again').vector));
      expect(all[0]!.seq).toBeLessThan(all[1]!.seq);
      expect(all[1]!.seq).toBe(b2!.seq);
      expect(await ctx.store().maxSeq(c.key)).toBe(b2!.seq);
      expect(await ctx.store().changesSince(c.key, MODULE_SHA, all[0]!.seq, 100)).toHaveLength(1);
      expect(await ctx.store().changesSince(c.key, MODULE_SHA, 0, 1)).toHaveLength(1);
      expect(await ctx.store().changesSince(c.key, MODULE_SHA, b2!.seq, 100)).toEqual([]);
      // seq is store-wide: the other collection's write sits between.
      expect(await ctx.store().maxSeq(other.key)).toBeGreaterThan(w1[1]!.seq);
      expect(await ctx.store().maxSeq(other.key)).toBeLessThan(b2!.seq);
    });

    it('says how far a reader of the change log is behind: newest seq, changed documents, oldest change', async () => {
      const c = await ctx.collection('lag');
      expect(await ctx.store().changeLag(c.key, MODULE_SHA, 0)).toEqual({ storeSeq: 0, behind: 0, oldestAt: null });
      const before = Date.now();
      const [a] = (await ctx.store().upsertDocuments(c.key, [doc('a'), doc('b'), doc('c')])).written;
      await ctx.store().deleteDocuments(c.key, ['b']);
      await ctx.store().upsertDocuments(c.key, [doc('c', 'c again')]);
      const top = await ctx.store().maxSeq(c.key);
      const all = await ctx.store().changeLag(c.key, MODULE_SHA, 0);
      // a document written twice is one change to apply: its row carries its latest write
      expect(all).toMatchObject({ storeSeq: top, behind: 3 });
      expect(all.oldestAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(all.oldestAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      expect(await ctx.store().changeLag(c.key, MODULE_SHA, a!.seq)).toMatchObject({ storeSeq: top, behind: 2 });
      expect(await ctx.store().changeLag(c.key, MODULE_SHA, top)).toEqual({ storeSeq: top, behind: 0, oldestAt: null });
    });

    it('rejects NUL characters with BAD_USER_INPUT and writes nothing', async () => {
      const c = await ctx.collection('nul');
      await expect(ctx.store().upsertDocuments(c.key, [doc('ok'), doc('bad', 'a\u0000b')])).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(ctx.store().upsertDocuments(c.key, [doc('bad', 'fine', { k: 'x\u0000' })])).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(ctx.store().upsertDocuments(c.key, [doc('bad', 'half \ud800 pair')])).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await ctx.store().countDocuments(c.key)).toBe(0);
    });

    it('refuses a vector of the wrong length and a missing collection', async () => {
      const c = await ctx.collection('dims');
      await expect(ctx.store().upsertDocuments(c.key, [doc('a', 't', null, new Float32Array(DIMS + 1))])).rejects.toThrow(/has 5 dims, the collection has 4/);
      await expect(ctx.store().upsertDocuments(2_000_000_000, [doc('a')])).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await ctx.store().countDocuments(c.key)).toBe(0);
    });
  });
}
