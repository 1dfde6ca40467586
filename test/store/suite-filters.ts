/**
 * The filter part of the store suite: one table of documents, one table of filters; for each
 * filter the store's SQL (listDocuments, countDocuments, vectors, documentKeys, keywordSearch)
 * must select exactly the documents that the in-memory `matches()` selects.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { matches, parseFilter } from '../../src/services/filter.js';
import type { CollectionRow } from '../../src/store/types.js';
import { doc, MODULE_SHA, type SuiteContext } from './suite-support.js';

/** Metadata chosen to trip every type and path rule of the filter language. */
export const METADATA: (Record<string, unknown> | null)[] = [
  { n: 5, s: 'apple', b: true, tags: ['x', 'y'], nested: { a: 1, b: { c: 'deep' } } },
  { n: '5', s: 'Banana', b: 1 },
  { n: 5.5, s: 'cherry', b: false, nested: { a: '1' } },
  { n: -2, s: '', b: 0, nested: null },
  { n: null, s: null },
  {},
  null,
  { n: 0, s: 'Apple', 'dash-key': 'x', '0lead': 1 },
  { n: 1e20, s: 'äpfel', list: [{ a: 1 }] },
  { n: 10, s: '10', b: 'true', nested: 'flat' },
  { n: -0.5, s: 'zebra', nested: { a: 2, b: { c: 3 } } },
  { n: 5, tags: 'x', nested: { a: [1] } },
  { n: 0.1, s: 'a"quote\\back' },
  { n: 0.30000000000000004, s: 'B' },
  { n: { deep: 1 }, s: ['apple'] },
  { 'a.b': 1, a: { c: 1 } },
  { n: 2 ** 53, s: '日本語', b: null },
  { n: 1.5e-7, s: 'Z', nested: { a: 1, b: null } },
];

/** Client filters (raw JSON, parsed with parseFilter). */
export const FILTERS: unknown[] = [
  { n: 5 }, { n: '5' }, { n: 5.5 }, { n: 0 }, { n: -0 }, { n: 1e20 }, { n: 2 ** 53 }, { n: 0.1 }, { n: 0.30000000000000004 },
  { n: null }, { s: null }, { nested: null }, { missing: null }, { b: null },
  { b: true }, { b: false }, { b: 1 }, { b: 0 }, { b: 'true' },
  { s: 'apple' }, { s: '' }, { s: 'a"quote\\back' }, { s: '日本語' },
  { n: { eq: 5 } }, { n: { ne: 5 } }, { n: { ne: null } }, { b: { ne: true } }, { s: { ne: 'apple' } }, { missing: { ne: 1 } },
  { n: { gt: 0 } }, { n: { gte: 5 } }, { n: { lt: 5 } }, { n: { lte: -2 } }, { n: { gt: 1e19 } },
  { n: { gt: 0.1, lt: 0.31 } }, { n: { gte: 0.30000000000000004 } }, { n: { gt: -1, lt: 1 } }, { n: { gt: 1e-7 } },
  { n: { gt: '4' } }, { n: { lt: 6 }, s: { gte: 'a' } },
  { s: { gt: 'B' } }, { s: { gte: 'apple' } }, { s: { lt: 'a' } }, { s: { lte: '' } }, { s: { gt: '' } }, { s: { gt: 'z' } },
  { s: { lt: 'b' } }, { s: { gt: 1 } },
  { n: { in: [5, '5', null] } }, { b: { in: [true, false] } }, { s: { in: ['apple', 'Apple', ''] } },
  { n: { in: [0.1, 10, -0.5] } }, { b: { in: [1, 'true'] } }, { missing: { in: [null] } }, { s: { in: ['x', 5, true] } },
  { 'nested.a': 1 }, { 'nested.a': '1' }, { 'nested.b.c': 'deep' }, { 'nested.b.c': { gt: 2 } }, { 'nested.a': null },
  { 'nested.a': { ne: 1 } }, { 'nested.b': null }, { 'nested.b.c': null }, { 'tags.0': 'x' }, { 'list.a': 1 }, { 'list.0.a': 1 },
  { 'a.b': 1 }, { 'a.c': 1 }, { 'dash-key': 'x' }, { '0lead': 1 }, { tags: 'x' }, { 'nested.a.0': 1 },
  { and: [{ n: { gte: 0 } }, { s: { lt: 'z' } }] },
  { or: [{ b: true }, { n: null }] },
  { or: [{ and: [{ n: 5 }, { b: true }] }, { s: { in: ['zebra'] } }] },
  { n: 5, b: true },
  { or: [{ n: { ne: 5 } }, { nested: { ne: null } }] },
  { and: [{ or: [{ s: { gt: 'a' } }, { s: { lt: 'B' } }] }, { n: { ne: null } }] },
];

/** Registers the filter agreement tests. */
export function filterTests(ctx: SuiteContext): void {
  describe('metadata filters', () => {
    let coll: CollectionRow;
    const keyOf = new Map<number, number>();

    beforeAll(async () => {
      coll = await ctx.collection('filters');
      const out = await ctx.store().upsertDocuments(coll.key, METADATA.map((m, i) => doc(`d${i}`, `doc ${i}`, m)));
      out.written.forEach((w, i) => keyOf.set(i, w.key));
      // A deleted document that matches everything it can must never show up.
      await ctx.store().upsertDocuments(coll.key, [doc('gone', 'gone', METADATA[0]!)]);
      await ctx.store().deleteDocuments(coll.key, ['gone']);
    });

    it.each(FILTERS.map((f) => [JSON.stringify(f), f]))('%s selects what matches() selects', async (_, raw) => {
      const filter = parseFilter(raw);
      const expected = METADATA.flatMap((m, i) => (matches(filter, m) ? [`d${i}`] : []));
      const store = ctx.store();
      const docs = await store.listDocuments(coll.key, filter, { first: 100 });
      expect(docs.map((d) => d.id)).toEqual(expected);
      expect(await store.countDocuments(coll.key, filter)).toBe(expected.length);
      const vecs = await store.vectors(coll.key, MODULE_SHA, filter, { first: 100 });
      const expectedKeys = expected.map((id) => keyOf.get(Number(id.slice(1)))!);
      expect(vecs.map((v) => v.key)).toEqual(expectedKeys);
      expect(Array.from(await store.documentKeys(coll.key, filter))).toEqual(expectedKeys);
      // Every live text holds "doc"; the deleted one holds "gone" and must not come back.
      const hits = await store.keywordSearch(coll.key, 'doc gone', 100, filter);
      expect(hits.map((h) => h.key).sort((a, b) => a - b)).toEqual([...expectedKeys].sort((a, b) => a - b));
    });

    it('pages a filtered listing by key', async () => {
      const filter = parseFilter({ n: { ne: null } });
      const all = await ctx.store().listDocuments(coll.key, filter, { first: 100 });
      const paged = [];
      let afterKey: number | undefined;
      for (;;) {
        const page = await ctx.store().listDocuments(coll.key, filter, { first: 3, afterKey });
        paged.push(...page);
        if (page.length < 3) break;
        afterKey = page[page.length - 1]!.key;
      }
      expect(paged.map((d) => d.id)).toEqual(all.map((d) => d.id));
    });
  });
}
