import { rm } from 'node:fs/promises';
import path from 'node:path';
import { catchUp, openHnswIndex } from '../index/hnsw.js';
import type { VectorIndex } from '../index/types.js';
import { AppError, notFound } from '../errors.js';
import type { Logger } from '../log.js';
import type { CollectionRow, Store } from '../store/types.js';

/** How far one loaded index is behind the store (IndexManager.lag; /healthz and /metrics). */
export interface IndexLag {
  collection: string;
  /** The newest change the index reflects. */
  indexSeq: number;
  /** The collection's newest committed change in the store. */
  storeSeq: number;
  /** Documents changed in the store after indexSeq: what the next catch-up applies. */
  behind: number;
  /** Milliseconds since the oldest of those changes was written (writer's clock); 0 when none. */
  oldestUnappliedMs: number;
  /** The index is still loading or rebuilding (it reflects nothing yet: indexSeq 0; requests wait for it). */
  opening: boolean;
}

interface Entry {
  collection: CollectionRow;
  ready: Promise<VectorIndex>;
  /** The index once `ready` resolved. */
  opened: VectorIndex | null;
  /** A follow-up catch-up is queued (notices and polls coalesce into it). */
  queued: boolean;
  /** Serializes catch-ups: changes apply in seq order, one batch at a time. */
  chain: Promise<unknown>;
  savedSeq: number;
}

/**
 * Keeps one HNSW index per collection in step with the store. The store is the source of truth:
 * after every committed write the index catches up by change sequence (never from the request's
 * own copy, so concurrent writers cannot leave a gap); on open it loads its file and catches up,
 * or rebuilds from the store when the file is missing, corrupt or built for other parameters.
 * Dirty indexes are saved every `saveIntervalMs` and on close.
 */
export class IndexManager {
  private readonly entries = new Map<number, Entry>();
  /** Keys of collections dropped here; never opened again (keys are never reused). */
  private readonly dropped = new Set<number>();
  private readonly timer: NodeJS.Timeout;
  private readonly poller: NodeJS.Timeout | null;
  private readonly unsubscribe: () => void;

  /**
   * Follower: every loaded index also catches up every `pollMs` (0: never) and, where the store
   * has a change feed (PostgreSQL LISTEN/NOTIFY), as soon as a notice says its collection moved
   * past it, so writes made by other processes on the same store become searchable here too.
   */
  constructor(
    private readonly store: Store,
    private readonly dir: string,
    private readonly logger: Logger,
    saveIntervalMs = 30_000,
    pollMs = 500,
  ) {
    this.timer = setInterval(() => void this.saveAll().catch((e) => logger.error({ err: e }, 'index save failed')), saveIntervalMs);
    this.timer.unref();
    this.poller = pollMs > 0 ? setInterval(() => this.followAll(), pollMs) : null;
    this.poller?.unref();
    this.unsubscribe = store.onChange?.((n) => n.kind === 'documents' && this.follow(n.collectionKey, n.seq)) ?? (() => undefined);
  }

  /** Queues a catch-up of every loaded index (the poll). */
  private followAll(): void {
    for (const key of this.entries.keys()) this.follow(key, Infinity);
  }

  /** Queues one catch-up of the collection's index, if loaded and behind `seq`; coalesces with one already queued. */
  private follow(collectionKey: number, seq: number): void {
    const entry = this.entries.get(collectionKey);
    if (!entry || entry.queued) return;
    entry.queued = true;
    void entry.ready
      .then((index) => {
        entry.queued = false;
        if (seq !== Infinity && index.seq >= seq) return;
        if (this.entries.get(collectionKey) === entry) return this.sync(entry.collection);
      })
      .catch(() => {
        entry.queued = false;
      });
  }

  /** Opens every collection's index in the background (start-up warm-up). */
  async warmUp(): Promise<void> {
    for (let after: number | undefined = undefined; ; ) {
      const page = await this.store.listCollections({ first: 100, afterKey: after });
      for (const c of page) void this.get(c).catch((e) => this.logger.error({ err: e, collection: c.name }, 'index open failed'));
      if (page.length < 100) return;
      after = page.at(-1)!.key;
    }
  }

  /** The collection's index, caught up with every committed write. */
  async get(collection: CollectionRow): Promise<VectorIndex> {
    const entry = this.entry(collection);
    await entry.chain;
    return entry.ready;
  }

  /** Applies committed changes to the index (called after each write). */
  async sync(collection: CollectionRow): Promise<void> {
    const entry = this.entry(collection);
    const run = entry.chain.then(async () => {
      const index = await entry.ready;
      await catchUp(index, (after, limit) => this.store.changesSince(collection.key, after, limit));
    });
    entry.chain = run.catch((e) => this.logger.error({ err: e, collection: collection.name }, 'index catch-up failed'));
    return run;
  }

  /**
   * Read your writes: resolves once this process's index of `collection` reflects every change up
   * to `afterSeq` (a seq a write reported), catching up from the store meanwhile; OVERLOADED when
   * that takes longer than `timeoutMs`, saying how many changes the index is behind. A seq beyond
   * the collection's newest committed change (a write to another collection) waits only for that
   * newest change: a write that was acknowledged is committed, so it is never missed.
   */
  async waitForSeq(collection: CollectionRow, afterSeq: number, timeoutMs: number): Promise<void> {
    const index = await this.get(collection);
    if (index.seq >= afterSeq) return;
    const target = Math.min(afterSeq, await this.store.maxSeq(collection.key));
    const deadline = Date.now() + timeoutMs;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      if (index.seq >= target) return;
      const left0 = deadline - Date.now();
      // a catch-up slower than the bound (a stalled store) must not hold the read past it
      await Promise.race([this.sync(collection).catch(() => undefined), new Promise((r) => setTimeout(r, Math.max(0, left0)))]);
      if (index.seq >= target) return;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise((r) => setTimeout(r, Math.min(pause, left)));
    }
    const behind = (await this.store.changesSince(collection.key, index.seq, 100_000)).filter((c) => c.seq <= target).length;
    throw new AppError(
      'OVERLOADED',
      `the index of collection "${collection.name}" on this process is ${behind} changes behind seq ${afterSeq} ` +
        `(it reflects seq ${index.seq}) after waiting ${timeoutMs} ms; retry later`,
      { indexSeq: index.seq, afterSeq, behind },
    );
  }

  /** The collection's newest committed change sequence in the store (0 when none). */
  storeSeq(collection: CollectionRow): Promise<number> {
    return this.store.maxSeq(collection.key);
  }

  /** The collections whose index is open (or opening) here. */
  loaded(): CollectionRow[] {
    return [...this.entries.values()].map((e) => e.collection);
  }

  /** How far each open (or opening) index is behind the store (one store read each; the first `max`). */
  async lag(max = 1000): Promise<IndexLag[]> {
    const out: IndexLag[] = [];
    const now = Date.now();
    for (const entry of [...this.entries.values()].slice(0, max)) {
      const indexSeq = entry.opened?.seq ?? 0;
      const { storeSeq, behind, oldestAt } = await this.store.changeLag(entry.collection.key, indexSeq);
      const oldestUnappliedMs = oldestAt ? Math.max(0, now - oldestAt.getTime()) : 0;
      out.push({ collection: entry.collection.name, indexSeq, storeSeq, behind, oldestUnappliedMs, opening: !entry.opened });
    }
    return out;
  }

  async indexedCount(collection: CollectionRow): Promise<number> {
    return (await this.get(collection)).size;
  }

  async deletedCount(collection: CollectionRow): Promise<number> {
    return (await this.get(collection)).deletedCount;
  }

  /** Drops the collection's index and its files (the collection was deleted, here or by another process). */
  async drop(collection: CollectionRow): Promise<void> {
    this.dropped.add(collection.key);
    const entry = this.entries.get(collection.key);
    this.entries.delete(collection.key);
    if (entry) await entry.ready.then((i) => i.close()).catch(() => undefined);
    const base = path.join(this.dir, this.fileName(collection));
    await Promise.all(['.hnsw', '.meta.json'].map((ext) => rm(base + ext, { force: true })));
  }

  /** Saves every index whose seq moved since its last save. */
  async saveAll(): Promise<void> {
    for (const entry of this.entries.values()) {
      const index = await entry.ready;
      await entry.chain;
      if (index.seq !== entry.savedSeq) {
        const seq = index.seq;
        await index.save();
        entry.savedSeq = seq;
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.poller) clearInterval(this.poller);
    this.unsubscribe();
    await this.saveAll();
    for (const entry of this.entries.values()) await (await entry.ready).close();
    this.entries.clear();
  }

  private fileName(c: CollectionRow): string {
    return `collection-${c.key}`;
  }

  private entry(collection: CollectionRow): Entry {
    let entry = this.entries.get(collection.key);
    if (entry) return entry;
    // a request that looked the collection up before it was deleted must not reopen its index
    if (this.dropped.has(collection.key)) throw notFound(`collection "${collection.name}" was deleted`);
    const ready = (async () => {
      const opened = await openHnswIndex({
        dir: this.dir,
        name: this.fileName(collection),
        params: {
          dims: collection.module.dims,
          metric: collection.metric,
          m: collection.hnsw.m,
          efConstruction: collection.hnsw.efConstruction,
          ef: collection.hnsw.ef,
          moduleSha256: collection.module.sha256,
        },
      });
      if (opened.loadedFrom === 'empty') this.logger.info({ collection: collection.name, reason: opened.reason }, 'index rebuilds from the store');
      await catchUp(opened, (after, limit) => this.store.changesSince(collection.key, after, limit));
      return opened;
    })();
    entry = { collection, ready, opened: null, queued: false, chain: ready, savedSeq: -1 };
    const made = entry;
    void ready.then((index) => (made.opened = index), () => undefined);
    this.entries.set(collection.key, entry);
    ready.catch(() => this.entries.delete(collection.key));
    return entry;
  }
}
