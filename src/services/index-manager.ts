import { catchUp, openHnswIndex } from '../index/hnsw.js';
import type { VectorIndex } from '../index/types.js';
import { AppError, conflict, notFound } from '../errors.js';
import type { Logger } from '../log.js';
import { MODULE_CHANGED } from '../store/binding.js';
import type { CollectionRow, ModuleBinding, Store } from '../store/types.js';
import { adoptLegacyIndex, indexFileName, removeIndexFiles, sameModule } from './index-files.js';

/** How far one loaded index is behind the store (IndexManager.lag; /healthz and /metrics). */
export interface IndexLag {
  collection: string;
  /** The module whose vectors the index holds ("name@version"). */
  module: string;
  /** The index serves the collection's searches (its bound module), else it is a migration's shadow. */
  serving: boolean;
  /** The newest change the index reflects. */
  indexSeq: number;
  /** The newest committed change of the module's vectors of the collection in the store. */
  storeSeq: number;
  /** Vectors changed in the store after indexSeq: what the next catch-up applies. */
  behind: number;
  /** Milliseconds since the oldest of those changes was written (writer's clock; for a migration's vectors, their document's last write); 0 when none. */
  oldestUnappliedMs: number;
  /** The index is still loading or rebuilding (it reflects nothing yet: indexSeq 0; requests wait for it). */
  opening: boolean;
}

interface Entry {
  collection: CollectionRow;
  module: ModuleBinding;
  ready: Promise<VectorIndex>;
  /** The index once `ready` resolved. */
  opened: VectorIndex | null;
  /** A follow-up catch-up is queued (notices and polls coalesce into it). */
  queued: boolean;
  /** Serializes catch-ups: changes apply in seq order, one batch at a time. */
  chain: Promise<unknown>;
  savedSeq: number;
  /** The newest binding version a reader asked with, and the catch-up it started (a swap's readers wait for it). */
  version: number;
  versionSync: Promise<unknown>;
}

/** How long an index no longer wanted (a swap, an ended migration) stays open for the requests that still hold it. */
const RETIRE_AFTER_MS = 10_000;

const entryKey = (collectionKey: number, sha256: string) => `${collectionKey}:${sha256}`;

/** The modules whose indexes a collection serves or builds: the bound one, and a running migration's target. */
function wanted(c: CollectionRow): ModuleBinding[] {
  return c.migration ? [c.module, c.migration.target] : [c.module];
}

/**
 * Keeps one HNSW index per collection and module in step with the store: the bound module's, which
 * serves, and while a module migration runs its target's (a shadow that follows the vectors the
 * migration writes, and serves after the swap). The store is the source of truth: after every
 * committed write the indexes catch up by change sequence (never from the request's own copy, so
 * concurrent writers cannot leave a gap); on open an index loads its file and catches up, or
 * rebuilds from the store when the file is missing, corrupt or built for other parameters. Dirty
 * indexes are saved every `saveIntervalMs` and on close.
 *
 * Binding changes: the manager keeps the newest collection row it was handed (by binding version);
 * a newer one opens the indexes it wants and retires the others (saved when of the previous module,
 * whose files stay for a revert; closed after RETIRE_AFTER_MS). A reader with a row older than a
 * swap asking for a module no longer wanted gets CONFLICT MODULE_CHANGED (it reads the collection
 * again), and the first reader with the newer row waits for a full catch-up of its index, so an
 * index serves a swap only once it reflects every vector written before it.
 */
export class IndexManager {
  private readonly entries = new Map<string, Entry>();
  /** The newest row seen of each collection with open indexes. */
  private readonly latest = new Map<number, CollectionRow>();
  private readonly retiring = new Set<{ entry: Entry; timer: NodeJS.Timeout; done: () => Promise<void> }>();
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
    for (const entry of this.entries.values()) this.follow(entry.collection.key, Infinity, entry);
  }

  /** Queues one catch-up of the collection's indexes (or `only` that one), if loaded and behind `seq`; coalesces with one already queued. */
  private follow(collectionKey: number, seq: number, only?: Entry): void {
    for (const entry of only ? [only] : this.entriesOf(collectionKey)) {
      if (entry.queued) continue;
      entry.queued = true;
      void entry.ready
        .then((index) => {
          entry.queued = false;
          if (seq !== Infinity && index.seq >= seq) return;
          if (this.entries.get(entryKey(collectionKey, entry.module.sha256)) === entry) return this.catchUp(entry);
        })
        .catch(() => {
          entry.queued = false;
        });
    }
  }

  /** Opens the indexes of every collection in the background (start-up warm-up). */
  async warmUp(): Promise<void> {
    for (let after: number | undefined = undefined; ; ) {
      const page = await this.store.listCollections({ first: 100, afterKey: after });
      for (const c of page) this.open(c);
      if (page.length < 100) return;
      after = page.at(-1)!.key;
    }
  }

  /**
   * The collection's index of `module` (default: its bound module), caught up with every committed
   * write. CONFLICT MODULE_CHANGED when the collection, as this manager last saw it, no longer
   * wants that module (bound, or a running migration's target; with `previous`, also the module
   * bound before the last swap): the caller's row is older than a swap.
   */
  async get(collection: CollectionRow, module: ModuleBinding = collection.module, opts: { previous?: boolean } = {}): Promise<VectorIndex> {
    this.note(collection);
    const latest = this.latest.get(collection.key) ?? collection;
    const ok = [...wanted(latest), ...(opts.previous && latest.previousModule ? [latest.previousModule] : [])].some((m) => m.sha256 === module.sha256);
    if (!ok) {
      throw conflict(`collection "${collection.name}" is no longer bound to ${module.name}@${module.version}; read it again`, MODULE_CHANGED);
    }
    const entry = this.entry(collection, module);
    if (collection.bindingVersion > entry.version) {
      entry.version = collection.bindingVersion;
      entry.versionSync = this.catchUp(entry).catch(() => undefined);
    }
    await entry.versionSync;
    await entry.chain;
    return entry.ready;
  }

  /** Applies committed changes to the collection's open indexes (called after each write; opens the bound module's when none is open). */
  async sync(collection: CollectionRow): Promise<void> {
    this.note(collection);
    const open = this.entriesOf(collection.key);
    const entries = open.length ? open : [this.entry(collection, collection.module)];
    await Promise.all(entries.map((e) => this.catchUp(e)));
  }

  /** The collection's binding changed (or may have): opens the indexes it wants and retires the others; resolves once they are caught up. */
  async rebind(collection: CollectionRow): Promise<void> {
    this.note(collection);
    await Promise.all(this.entriesOf(collection.key).map((e) => e.ready.catch(() => undefined)));
  }

  /**
   * Read your writes: resolves once this process's index of `collection` reflects every change up
   * to `afterSeq` (a seq a write reported), catching up from the store meanwhile; OVERLOADED when
   * that takes longer than `timeoutMs`, saying how many changes the index is behind. A seq beyond
   * the newest committed change of the bound module's vectors (a write to another collection, a
   * metadata patch) waits only for that newest change: a write that was acknowledged is
   * committed, so it is never missed.
   */
  async waitForSeq(collection: CollectionRow, afterSeq: number, timeoutMs: number): Promise<void> {
    const index = await this.get(collection);
    if (index.seq >= afterSeq) return;
    const entry = this.entry(collection, collection.module);
    const lag = () => this.store.changeLag(collection.key, collection.module.sha256, index.seq);
    const target = Math.min(afterSeq, (await lag()).storeSeq);
    const deadline = Date.now() + timeoutMs;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      if (index.seq >= target) return;
      const left0 = deadline - Date.now();
      // a catch-up slower than the bound (a stalled store) must not hold the read past it
      await Promise.race([this.catchUp(entry).catch(() => undefined), new Promise((r) => setTimeout(r, Math.max(0, left0)))]);
      if (index.seq >= target) return;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise((r) => setTimeout(r, Math.min(pause, left)));
    }
    const { behind } = await lag();
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

  /** The collections whose indexes are open (or opening) here, as last seen. */
  loaded(): CollectionRow[] {
    const keys = new Set([...this.entries.values()].map((e) => e.collection.key));
    return [...keys].map((k) => this.latest.get(k)!).filter(Boolean);
  }

  /** How far each open (or opening) index is behind the store (one store read each; the first `max`). */
  async lag(max = 1000): Promise<IndexLag[]> {
    const out: IndexLag[] = [];
    const now = Date.now();
    for (const entry of [...this.entries.values()].slice(0, max)) {
      const indexSeq = entry.opened?.seq ?? 0;
      const { storeSeq, behind, oldestAt } = await this.store.changeLag(entry.collection.key, entry.module.sha256, indexSeq);
      const oldestUnappliedMs = oldestAt ? Math.max(0, now - oldestAt.getTime()) : 0;
      const serving = (this.latest.get(entry.collection.key) ?? entry.collection).module.sha256 === entry.module.sha256;
      const module = `${entry.module.name}@${entry.module.version}`;
      out.push({ collection: entry.collection.name, module, serving, indexSeq, storeSeq, behind, oldestUnappliedMs, opening: !entry.opened });
    }
    return out;
  }

  async indexedCount(collection: CollectionRow): Promise<number> {
    return (await this.get(collection)).size;
  }

  async deletedCount(collection: CollectionRow): Promise<number> {
    return (await this.get(collection)).deletedCount;
  }

  /** Drops the collection's indexes and their files (the collection was deleted, here or by another process). */
  async drop(collection: CollectionRow): Promise<void> {
    this.dropped.add(collection.key);
    this.latest.delete(collection.key);
    await Promise.all([...this.retiring].filter((r) => r.entry.collection.key === collection.key).map((r) => r.done()));
    const entries = this.entriesOf(collection.key);
    for (const e of entries) this.entries.delete(entryKey(collection.key, e.module.sha256));
    await Promise.all(entries.map((e) => e.ready.then((i) => i.close()).catch(() => undefined)));
    await removeIndexFiles(this.dir, collection.key);
  }

  /** Saves every index whose seq moved since its last save. */
  async saveAll(): Promise<void> {
    for (const entry of this.entries.values()) await this.save(entry);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.poller) clearInterval(this.poller);
    this.unsubscribe();
    await Promise.all([...this.retiring].map((r) => r.done()));
    await this.saveAll();
    for (const entry of this.entries.values()) await (await entry.ready).close();
    this.entries.clear();
  }

  private async save(entry: Entry): Promise<void> {
    const index = await entry.ready;
    await entry.chain;
    if (index.seq !== entry.savedSeq) {
      const seq = index.seq;
      await index.save();
      entry.savedSeq = seq;
    }
  }

  private entriesOf(collectionKey: number): Entry[] {
    return [...this.entries.values()].filter((e) => e.collection.key === collectionKey);
  }

  /** Applies the store's changes of the entry's module after its index's seq, after every catch-up queued before. */
  private catchUp(entry: Entry): Promise<void> {
    const { key, name } = entry.collection;
    const run = entry.chain.then(async () => {
      const index = await entry.ready;
      await catchUp(index, (after, limit) => this.store.changesSince(key, entry.module.sha256, after, limit));
    });
    entry.chain = run.catch((e) => this.logger.error({ err: e, collection: name, module: entry.module.name }, 'index catch-up failed'));
    return run;
  }

  /** Records `collection` as the newest row of its key when it is; a newer binding than the one known rebinds the indexes. */
  private note(collection: CollectionRow): void {
    const known = this.latest.get(collection.key);
    if (known && known.bindingVersion >= collection.bindingVersion) return;
    if (this.dropped.has(collection.key)) return;
    this.latest.set(collection.key, collection);
    this.open(collection);
  }

  /** Opens, in the background, the indexes `collection` wants and retires the others. */
  private open(collection: CollectionRow): void {
    this.note(collection);
    const keep = wanted(collection);
    for (const entry of this.entriesOf(collection.key)) {
      if (!keep.some((m) => m.sha256 === entry.module.sha256)) this.retire(entry, collection);
    }
    for (const m of keep) {
      try {
        void this.entry(collection, m).ready.catch((e: unknown) => this.logger.error({ err: e, collection: collection.name, module: m.name }, 'index open failed'));
      } catch (e) {
        this.logger.warn({ err: e, collection: collection.name }, 'index not opened');
      }
    }
    const files = [...keep, ...(collection.previousModule ? [collection.previousModule] : []), ...this.entriesOf(collection.key).map((e) => e.module)];
    void removeIndexFiles(this.dir, collection.key, (prefix) => files.some((m) => sameModule(prefix, m.sha256)));
  }

  /**
   * Takes an index no longer wanted out of service; it stays open for RETIRE_AFTER_MS for the
   * requests that still hold it, then is saved (the previous module's, for a revert) or has its
   * files removed, and is closed.
   */
  private retire(entry: Entry, now: CollectionRow): void {
    this.entries.delete(entryKey(entry.collection.key, entry.module.sha256));
    const keepFiles = now.previousModule?.sha256 === entry.module.sha256;
    let finished: Promise<void> | null = null;
    const done = () => (finished ??= (async () => {
      clearTimeout(record.timer);
      this.retiring.delete(record);
      if (keepFiles) await this.save(entry).catch((e) => this.logger.warn({ err: e, collection: now.name }, 'retired index save failed'));
      await entry.ready.then((i) => i.close()).catch(() => undefined);
      if (!keepFiles && !this.entries.has(entryKey(entry.collection.key, entry.module.sha256))) {
        await removeIndexFiles(this.dir, entry.collection.key, (prefix) => !sameModule(prefix, entry.module.sha256));
      }
    })());
    const record = { entry, timer: setTimeout(() => void done(), RETIRE_AFTER_MS), done };
    record.timer.unref();
    this.retiring.add(record);
  }

  private entry(collection: CollectionRow, module: ModuleBinding): Entry {
    const id = entryKey(collection.key, module.sha256);
    let entry = this.entries.get(id);
    if (entry) return entry;
    // a request that looked the collection up before it was deleted must not reopen its index
    if (this.dropped.has(collection.key)) throw notFound(`collection "${collection.name}" was deleted`);
    // wanted again before it closed (a revert soon after a swap): the same index serves on
    const retired = [...this.retiring].find((r) => r.entry.collection.key === collection.key && r.entry.module.sha256 === module.sha256);
    if (retired) {
      clearTimeout(retired.timer);
      this.retiring.delete(retired);
      this.entries.set(id, retired.entry);
      return retired.entry;
    }
    const ready = (async () => {
      if (module.sha256 === collection.module.sha256) await adoptLegacyIndex(this.dir, collection.key, module.sha256);
      const opened = await openHnswIndex({
        dir: this.dir,
        name: indexFileName(collection.key, module.sha256),
        params: {
          dims: module.dims,
          metric: collection.metric,
          m: collection.hnsw.m,
          efConstruction: collection.hnsw.efConstruction,
          ef: collection.hnsw.ef,
          moduleSha256: module.sha256,
        },
      });
      if (opened.loadedFrom === 'empty') this.logger.info({ collection: collection.name, module: module.name, reason: opened.reason }, 'index rebuilds from the store');
      await catchUp(opened, (after, limit) => this.store.changesSince(collection.key, module.sha256, after, limit));
      return opened;
    })();
    entry = { collection, module, ready, opened: null, queued: false, chain: ready, savedSeq: -1, version: collection.bindingVersion, versionSync: ready };
    const made = entry;
    void ready.then((index) => (made.opened = index), () => undefined);
    this.entries.set(id, entry);
    ready.catch(() => {
      if (this.entries.get(id) === made) this.entries.delete(id);
    });
    return entry;
  }
}
