/**
 * The module registry of a server whose store outlives it and may be shared with other processes:
 * every module loaded through `register` (loadModule) is recorded in the store (api/modules.ts)
 * with the source it came from and the sha256 its files had, and a recorded module that is not
 * loaded here is loaded from its record, pinned to that sha256: at once when a request needs it
 * (`acquire`), and in the background at start and whenever the metadata follower says there may
 * be new records (`loadRecorded`: a `module` change notice, or its poll). So a module loaded
 * through one process serves on every process, and again after a restart, as long as each can
 * reach the source and trusts it (SEMHUB_TRUSTED_MODULE_SOURCES).
 */
import { AppError, conflict, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Encoder, ModuleInfo, ModuleRegistry, ModuleSpec } from '../modules/types.js';
import type { ModuleRecord, Store } from '../store/types.js';

export class RecordedModules implements ModuleRegistry {
  /** Records whose background load failed here (name@sha256): not retried by the poll, only by a request. */
  private readonly failed = new Set<string>();
  private loading: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly inner: ModuleRegistry,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  get defaultName(): string {
    return this.inner.defaultName;
  }

  list(): ModuleInfo[] {
    return this.inner.list();
  }

  get(name?: string | null): Encoder {
    return this.inner.get(name);
  }

  /** Loads and records a module; CONFLICT when its name is recorded with another version or sha256. */
  async register(spec: ModuleSpec): Promise<ModuleInfo> {
    const prior = await this.record(spec.name);
    if (prior) this.checkSame(prior, spec.version, spec.sha256?.toLowerCase());
    const info = await this.inner.register(prior ? { ...spec, sha256: prior.sha256 } : spec);
    // a concurrent loadModule of the name on another process may have recorded first
    const stored = await this.store.recordModule({ name: info.name, version: info.version, source: spec.source, sha256: info.sha256, dims: info.dims });
    this.checkSame(stored, info.version, info.sha256);
    return info;
  }

  /** The encoder for `name`, loaded first from its record when another process loaded it; NOT_FOUND when there is none. */
  async acquire(name?: string | null): Promise<Encoder> {
    const key = name ?? this.defaultName;
    if (!this.loaded(key)) {
      const record = await this.record(key);
      if (record) {
        await this.load(record).catch((e: unknown) => {
          if (!isAppError(e)) throw e;
          throw new AppError(e.code, `module "${key}" was loaded from ${record.source} by a process of this store, but cannot be loaded here: ${e.message}`);
        });
      }
    }
    return this.inner.get(key);
  }

  /** Loads, in the background, every recorded module not loaded here; calls that overlap one in progress run once more after it. */
  loadRecorded(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        await this.loadMissing();
      } while (this.again);
    })().finally(() => (this.loading = null));
    return this.loading;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async loadMissing(): Promise<void> {
    for (const record of await this.store.listModules()) {
      const id = `${record.name}@${record.sha256}`;
      if (this.loaded(record.name) || this.failed.has(id)) continue;
      try {
        await this.load(record);
      } catch (e) {
        this.failed.add(id);
        this.logger.warn({ err: e, module: record.name, source: record.source }, 'a recorded module could not be loaded here');
      }
    }
  }

  private async load(record: ModuleRecord): Promise<void> {
    await this.inner.register({ name: record.name, version: record.version, source: record.source, sha256: record.sha256 });
    this.logger.info({ module: record.name, version: record.version, source: record.source }, 'module loaded from its record in the store');
  }

  private loaded(name: string): boolean {
    return this.inner.list().some((m) => m.name === name);
  }

  private async record(name: string): Promise<ModuleRecord | null> {
    return (await this.store.listModules()).find((m) => m.name === name) ?? null;
  }

  private checkSame(record: ModuleRecord, version: string, sha256: string | undefined): void {
    if (record.version === version && (!sha256 || sha256 === record.sha256)) return;
    throw conflict(
      `module "${record.name}" is already recorded in the store as version ${record.version} (sha256 ${record.sha256}); ` +
        'register a different module under a new name',
    );
  }
}
