/**
 * What other processes change in a shared store (PostgreSQL), seen by this one's caches:
 * - a collection deleted elsewhere leaves the collection cache, and its index (with its files)
 *   and this process's jobs on it go, as after a delete here; re-created under the same name it
 *   has a new key, so nothing of the old one is served for it;
 * - a collection created elsewhere gets its index opened here at once, so it follows the writes
 *   that come next from their notices;
 * - a collection whose module binding changed elsewhere (a module migration started, entered its
 *   last phase, swapped or ended) is read again: its indexes follow the binding (a migration's
 *   shadow opened, the serving one swapped) and then the collection cache serves the new row;
 * - a module loaded elsewhere is loaded here from its record (RecordedModules).
 * Classifier heads need nothing: every lookup reads the store, and decoded weights are cached by
 * their version's key, which never changes. Documents are followed by the index manager and the
 * store's document cache.
 *
 * Woken by the store's change notices (api/changes.ts). Behind them, every `pollMs` the
 * collections held here are checked against the store's keys and binding versions and unloaded
 * module records are loaded, which covers a lost LISTEN connection or a missed notice. A store without notices
 * (SQLite, one process per data directory) has nobody else to follow: no poll.
 */
import type { Logger } from '../log.js';
import type { ChangeNotice, CollectionRow, Store } from '../store/types.js';
import type { CollectionService } from './collections.js';
import type { IndexManager } from './index-manager.js';
import type { RecordedModules } from './recorded-modules.js';

export interface FollowedCaches {
  store: Store;
  collections: CollectionService;
  indexes: IndexManager;
  modules: RecordedModules;
  logger: Logger;
}

export class MetadataFollower {
  private readonly timer: NodeJS.Timeout | null;
  private readonly unsubscribe: () => void;
  private polling = false;

  constructor(
    private readonly deps: FollowedCaches,
    pollMs: number,
  ) {
    this.unsubscribe = deps.store.onChange?.((n) => this.hear(n)) ?? (() => undefined);
    this.timer = deps.store.onChange && pollMs > 0 ? setInterval(() => void this.poll(), pollMs) : null;
    this.timer?.unref();
  }

  /** One pass of the poll: forgets the collections held here that the store no longer has, follows changed bindings, loads unloaded module records. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const live = new Map((await this.deps.store.collectionVersions()).map((c) => [c.key, c.bindingVersion]));
      for (const row of this.held()) {
        const version = live.get(row.key);
        if (version === undefined) await this.forget(row);
        else if (version > row.bindingVersion) await this.rebound(row);
      }
      await this.deps.modules.loadRecorded();
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'metadata poll failed');
    } finally {
      this.polling = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe();
  }

  private hear(n: ChangeNotice): void {
    if (n.kind === 'module') {
      void this.deps.modules.loadRecorded();
    } else if (n.kind === 'binding') {
      const row = this.held().find((c) => c.key === n.collectionKey);
      if (row && row.bindingVersion < n.version) void this.rebound(row);
    } else if (n.kind === 'collection' && n.deleted) {
      const row = this.held().find((c) => c.key === n.collectionKey);
      if (row) void this.forget(row);
    } else if (n.kind === 'collection') {
      void this.deps.collections.find(n.name)
        .then((c) => (c?.key === n.collectionKey ? this.deps.indexes.get(c) : undefined))
        .catch((e: unknown) => this.deps.logger.warn({ err: e, collection: n.name }, 'index open failed'));
    }
  }

  /** The collections this process holds something of: cached rows and open indexes, once each (the older binding of the two). */
  private held(): CollectionRow[] {
    const byKey = new Map<number, CollectionRow>();
    for (const c of [...this.deps.collections.cached(), ...this.deps.indexes.loaded()]) {
      const seen = byKey.get(c.key);
      if (!seen || c.bindingVersion < seen.bindingVersion) byKey.set(c.key, c);
    }
    return [...byKey.values()];
  }

  /** Reads a collection whose binding changed elsewhere again: its indexes follow, then its cached row. */
  private async rebound(row: CollectionRow): Promise<void> {
    try {
      const now = await this.deps.collections.current(row.name);
      if (now?.key === row.key) await this.deps.indexes.rebind(now);
    } catch (e) {
      this.deps.logger.warn({ err: e, collection: row.name }, 'following a binding change failed');
    }
  }

  private forget(row: CollectionRow): Promise<void> {
    return this.deps.collections.deletedElsewhere(row)
      .catch((e: unknown) => this.deps.logger.warn({ err: e, collection: row.name }, 'dropping a deleted collection failed'));
  }
}
