import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors.js';
import { BULK_EVERY, EmbedQueue } from '../../../src/modules/batching/embed-queue.js';
import type { BatchExecutor } from '../../../src/modules/executors/batch-executor.js';
import { textAdapter } from '../../../src/modules/text/input-adapter.js';

type ModelInput = Parameters<BatchExecutor['run']>[0];

/** Each text's vector: a number of its own, then its length; a wrong pairing shows at once. */
const ids = new Map<string, number>();
const idOf = (text: string): number => {
  if (!ids.has(text)) ids.set(text, ids.size + 1);
  return ids.get(text)!;
};
const vectorOf = (text: string) => Float32Array.of(idOf(text), text.length);

/** An executor whose batches wait until the test releases them; it records what it was given. */
class HeldExecutor implements BatchExecutor {
  readonly backend = 'cpu' as const;
  readonly dims = 2;
  readonly note: string | null = null;
  /** Every batch run so far, in the order the queue cut them. */
  readonly batches: string[][] = [];
  private readonly held: Array<{ texts: string[]; resolve(v: Float32Array): void }> = [];

  constructor(readonly slots: number) {}

  run(input: ModelInput): Promise<Float32Array> {
    if (input.kind !== 'text') throw new Error('the test adapter packs text');
    const texts = input.texts;
    this.batches.push(texts);
    return new Promise((resolve) => this.held.push({ texts, resolve }));
  }

  get running(): number {
    return this.held.length;
  }

  /** Finishes the held batch at `index` (the oldest by default) and lets the queue cut the next. */
  async release(index = 0): Promise<void> {
    const [batch] = this.held.splice(index, 1);
    if (!batch) throw new Error('no batch is running');
    const flat = new Float32Array(batch.texts.length * this.dims);
    batch.texts.forEach((t, i) => flat.set(vectorOf(t), i * this.dims));
    batch.resolve(flat);
    await tick();
  }

  /** Releases batches until none runs. */
  async drain(): Promise<void> {
    await tick();
    while (this.running) await this.release();
  }

  async close(): Promise<void> {}
}

/** Lets the queue's pump (scheduled with setImmediate) and settled batches run. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The error a call was refused with, or 'accepted' when it was enqueued (a refusal comes at once). */
const refusal = (call: Promise<unknown>): Promise<unknown> =>
  Promise.race([call.then(() => 'accepted', (e: unknown) => e), tick().then(() => 'accepted')]);

const bulkTexts = (n: number) => Array.from({ length: n }, (_, i) => `bulk text ${i}`);
const isBulk = (batch: string[]) => batch.every((t) => t.startsWith('bulk'));

function queueOn(executor: HeldExecutor, opts: { queueMax?: number; maxBatch?: number } = {}) {
  return new EmbedQueue({
    executor,
    adapter: textAdapter(),
    maxBatch: opts.maxBatch ?? 64,
    tokenBudget: 1_000_000,
    queueMax: opts.queueMax ?? 10_000,
    cacheSize: 10_000,
  });
}

const expectVectorsOf = (texts: string[], vectors: Float32Array[]) => {
  expect(vectors).toHaveLength(texts.length);
  texts.forEach((t, i) => expect([...vectors[i]!]).toEqual([...vectorOf(t)]));
};

describe('the embedding queue priorities', () => {
  it('puts an interactive request issued behind 2,000 bulk texts in the very next batch', async () => {
    const executor = new HeldExecutor(1);
    const queue = queueOn(executor);
    const bulk = queue.embed(bulkTexts(2000), { priority: 'bulk' });
    await tick();
    expect(executor.batches).toHaveLength(1);
    expect(queue.stats().waitingByPriority).toEqual({ interactive: 0, bulk: 2000 - 64 });

    let answered = false;
    const search = queue.embed(['what is a sentence encoder?']).then((v) => ((answered = true), v));
    await tick();
    expect(queue.stats().waitingByPriority.interactive).toBe(1);
    await executor.release();
    expect(executor.batches[1]).toEqual(['what is a sentence encoder?']);
    await executor.release();
    expect(answered).toBe(true);
    expectVectorsOf(['what is a sentence encoder?'], await search);

    await executor.drain();
    expectVectorsOf(bulkTexts(2000), await bulk);
    expect(queue.stats()).toMatchObject({ waiting: 0, bulkBatches: Math.ceil(2000 / 64), batches: Math.ceil(2000 / 64) + 1 });
  });

  it(`still runs one bulk batch in every ${BULK_EVERY} under a steady stream of interactive requests`, async () => {
    const executor = new HeldExecutor(1);
    const queue = queueOn(executor);
    const bulk = queue.embed(bulkTexts(1000), { priority: 'bulk' });
    await tick();
    const searches: Array<Promise<Float32Array[]>> = [];
    for (let k = 0; k < 10 * BULK_EVERY; k++) {
      // A new search arrives while every batch runs, so the interactive lane never empties.
      searches.push(queue.embed([`search ${k}`]));
      await executor.release();
    }
    const lanes = executor.batches.map((b) => (isBulk(b) ? 'B' : 'I')).join('');
    expect(lanes).toBe('B' + 'IIIB'.repeat(10));
    // No search waits behind more than one bulk batch: each is in the next batch or the one after.
    executor.batches.forEach((batch, i) => {
      if (!isBulk(batch)) for (const t of batch) expect(Number(t.split(' ')[1])).toBeGreaterThanOrEqual(i - 2);
    });
    await executor.drain();
    await Promise.all(searches);
    expectVectorsOf(bulkTexts(1000), await bulk);
  });

  it('gives bulk every slot while no interactive text waits, and interactive every slot while no bulk text waits', async () => {
    const executor = new HeldExecutor(3);
    const queue = queueOn(executor, { maxBatch: 10 });
    const bulk = queue.embed(bulkTexts(100), { priority: 'bulk' });
    await tick();
    expect(executor.batches.map(isBulk)).toEqual([true, true, true]);
    await executor.drain();
    await bulk;
    const searches = queue.embed(Array.from({ length: 30 }, (_, i) => `search ${i}`));
    await tick();
    expect(executor.running).toBe(3);
    await executor.drain();
    await searches;
  });

  it('moves a text waiting in the bulk lane to the interactive lane when a search asks for it', async () => {
    const executor = new HeldExecutor(1);
    const queue = queueOn(executor);
    const bulk = queue.embed(bulkTexts(300), { priority: 'bulk' });
    await tick();
    const search = queue.embed(['bulk text 250']);
    await tick();
    expect(queue.stats()).toMatchObject({ promoted: 1, deduped: 1, waitingByPriority: { interactive: 1, bulk: 300 - 64 - 1 } });
    await executor.release();
    expect(executor.batches[1]).toEqual(['bulk text 250']);
    await executor.release();
    expectVectorsOf(['bulk text 250'], await search);

    await executor.drain();
    expectVectorsOf(bulkTexts(300), await bulk);
    // Embedded once, for both callers.
    expect(executor.batches.flat().filter((t) => t === 'bulk text 250')).toHaveLength(1);
    expect(queue.stats().embedded).toBe(300);
  });

  it('lets a bulk request join a text already waiting or running, without moving it', async () => {
    const executor = new HeldExecutor(1);
    const queue = queueOn(executor, { maxBatch: 2 });
    const first = queue.embed(['running a', 'running b']);
    await tick();
    const searches = queue.embed(['waiting c']);
    const upsert = queue.embed(['running a', 'waiting c', 'new d'], { priority: 'bulk' });
    expect(queue.stats()).toMatchObject({ deduped: 2, promoted: 0, waitingByPriority: { interactive: 1, bulk: 1 } });
    const again = queue.embed(['running b']);
    expect(queue.stats()).toMatchObject({ deduped: 3, promoted: 0, waitingByPriority: { interactive: 1, bulk: 1 } });
    await executor.drain();
    expect(executor.batches).toEqual([['running a', 'running b'], ['waiting c'], ['new d']]);
    expectVectorsOf(['running a', 'running b'], await first);
    expectVectorsOf(['waiting c'], await searches);
    expectVectorsOf(['running a', 'waiting c', 'new d'], await upsert);
    expectVectorsOf(['running b'], await again);
  });

  it('refuses bulk texts beyond queueMax in the bulk lane but still takes searches, which have their own queueMax', async () => {
    const executor = new HeldExecutor(1);
    const queue = queueOn(executor, { queueMax: 100, maxBatch: 10 });
    const bulk = queue.embed(bulkTexts(100), { priority: 'bulk' });
    const refused = await refusal(queue.embed(['bulk one too many'], { priority: 'bulk' }));
    expect(isAppError(refused) && refused.code).toBe('OVERLOADED');
    expect((refused as Error).message).toBe(
      'embedding queue is full for bulk requests: 100 texts are waiting and this request adds 1 (limit 100); retry later or send fewer texts',
    );

    const search = queue.embed(Array.from({ length: 5 }, (_, i) => `search ${i}`));
    expect(queue.stats().waitingByPriority).toEqual({ interactive: 5, bulk: 100 });
    // 95 new texts and one bulk text moved over: 5 + 96 is past the interactive lane's bound.
    const tooMany = [...Array.from({ length: 95 }, (_, i) => `more ${i}`), 'bulk text 99'];
    const full = await refusal(queue.embed(tooMany));
    expect(isAppError(full) && full.code).toBe('OVERLOADED');
    expect((full as Error).message).toContain('full for interactive requests: 5 texts are waiting and this request adds 96 (limit 100)');
    // Nothing of a refused request is enqueued or moved.
    expect(queue.stats()).toMatchObject({ promoted: 0, waitingByPriority: { interactive: 5, bulk: 100 } });
    // One text fewer fits exactly.
    const fits = queue.embed(tooMany.slice(1));
    expect(queue.stats()).toMatchObject({ promoted: 1, waitingByPriority: { interactive: 100, bulk: 99 } });

    await executor.drain();
    expectVectorsOf(bulkTexts(100), await bulk);
    expectVectorsOf(tooMany.slice(1), await fits);
    await search;
    expect(queue.stats().waiting).toBe(0);
    const later = queue.embed(['bulk one too many'], { priority: 'bulk' });
    await executor.drain();
    expectVectorsOf(['bulk one too many'], await later);
  });

  it('gives every text its own vector in input order, across lanes, duplicates, the cache and batches finishing out of order', async () => {
    const executor = new HeldExecutor(2);
    const queue = queueOn(executor, { maxBatch: 3 });
    const cached = ['an already embedded text'];
    const warm = queue.embed(cached);
    await executor.drain();
    await warm;

    const long = 'a much longer text that lands in a bucket of its own, far from the short ones';
    const upsert = ['bulk x', long, 'bulk y', 'shared', 'bulk x', 'bulk z', 'bulk w'];
    const query = ['shared', 'q1', cached[0]!, 'q2', 'shared', long, 'q3 is a bit longer', 'q1'];
    const calls = [queue.embed(upsert, { priority: 'bulk' }), queue.embed(query), queue.embed(['bulk y', 'q2'], { priority: 'bulk' })];
    await tick();
    while (executor.running) await executor.release(executor.running - 1);
    const [u, q, mixed] = await Promise.all(calls);
    expectVectorsOf(upsert, u!);
    expectVectorsOf(query, q!);
    expectVectorsOf(['bulk y', 'q2'], mixed!);
    // Each distinct text reached the executor once; the cached one not at all.
    const sent = executor.batches.slice(1).flat();
    expect(sent.sort()).toEqual([...new Set([...upsert, ...query, 'bulk y', 'q2'])].filter((t) => t !== cached[0]).sort());
    expect(queue.stats().cacheHits).toBe(1);
  });
});
