/**
 * Changing a collection's module without downtime (docs/module-migration.md): `migrate` starts a
 * durable job (job.ts) on the job runner that re-embeds the collection with another module while
 * it keeps serving on its bound one, then swaps; `revert` swaps back to the module bound before
 * (re-embedding what was written since), `cancel` ends a migration leaving the collection as it
 * was, `dropPrevious` deletes the vectors of every other module. A job whose process stopped is
 * taken over by another process (or this one's next start on SQLite) and resumed from the target
 * vectors already stored.
 */
import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ModuleRegistry } from '../../modules/types.js';
import { isModuleChanged } from '../../store/binding.js';
import type { CollectionRow, JobRow, JobRowPatch, ModuleBinding, Store } from '../../store/types.js';
import type { CollectionService } from '../collections.js';
import type { DocumentService } from '../documents.js';
import { jobLeases } from '../jobs/job-records.js';
import { JobRunner, type JobSchedule, type ResumedJob } from '../jobs/job-runner.js';
import { runMigration, type MigrationDeps, type MigrationParams } from './job.js';
import type { MigrationProgress } from './progress.js';

/** The job kind of module migrations (reverts included). */
export const MIGRATE_JOB_KIND = 'migrate';

/** A running migration as `Collection.migration` shows it: its job, target and progress. */
export interface MigrationView extends MigrationProgress {
  job: JobRow;
  /** The last phase is on: writes embed with the target too. */
  dualWrite: boolean;
}

export interface MigrationServiceDeps extends MigrationDeps {
  modules: ModuleRegistry;
  logger: Logger;
  jobs?: JobSchedule;
}

/** Starts, reverts, cancels and reads module migrations; owns this process's migration jobs. */
export class MigrationService {
  private readonly runner: JobRunner<JobRowPatch>;

  constructor(private readonly deps: MigrationServiceDeps) {
    const { store } = deps;
    this.runner = new JobRunner<JobRowPatch>({
      ...deps.jobs,
      records: {
        // a failed migration leaves the collection as it was: its end clears the migration in the same transaction
        update: async (id, patch) => {
          if (patch.status !== 'FAILED') return store.updateJob(id, patch);
          const row = await store.endMigration(id, 'FAILED', patch.error ?? null);
          if (row) await deps.collections.rebound(row);
        },
        failStale: (before, error) => store.failStaleJobs(MIGRATE_JOB_KIND, before, error),
        ...jobLeases(store, MIGRATE_JOB_KIND),
      },
      resume: (job) => this.resume(job),
      wording: { noun: 'migration', doing: 'migrating', rerun: 'migrateCollection' },
      logger: deps.logger,
    });
  }

  /**
   * Starts migrating `collection` to the module loaded (or recorded) under `moduleName`; resolves
   * with the job at once. CONFLICT when a migration runs (MIGRATION_RUNNING) or the collection is
   * bound to that module already (SAME_MODULE); NOT_FOUND for an unknown module.
   */
  async migrate(collection: CollectionRow, moduleName: string, retrainClassifiers: boolean): Promise<JobRow> {
    const encoder = await this.deps.modules.acquire(moduleName);
    const { name, version, sha256, dims } = encoder.info;
    return this.start(collection, { name, version, sha256, dims }, retrainClassifiers, false);
  }

  /** Swaps back to the module bound before the last swap, re-embedding for it what was written since. CONFLICT NO_PREVIOUS_MODULE when there is none. */
  async revert(collection: CollectionRow): Promise<JobRow> {
    const c = await this.current(collection);
    if (c.migration) throw conflict(`collection "${c.name}" is migrating to ${c.migration.target.name}@${c.migration.target.version}; cancel it first`, 'MIGRATION_RUNNING');
    if (!c.previousModule) throw conflict(`collection "${c.name}" has no previous module to revert to (it was never migrated, or its previous vectors were dropped)`, 'NO_PREVIOUS_MODULE');
    await this.deps.documents.encoderOf(c, c.previousModule);
    return this.start(c, c.previousModule, false, true);
  }

  /** Cancels the running migration: the collection stays as it was (the target's vectors stay, for a later migration to it). CONFLICT NO_MIGRATION when none runs. */
  async cancel(collection: CollectionRow): Promise<boolean> {
    const c = await this.current(collection);
    if (!c.migration) throw conflict(`collection "${c.name}" has no migration running`, 'NO_MIGRATION');
    this.runner.cancel(c.migration.job);
    const row = await this.deps.store.endMigration(c.migration.job, 'CANCELLED', null);
    if (row) await this.deps.collections.rebound(row);
    return true;
  }

  /** Deletes the vectors of every module but the bound one and forgets the previous module. CONFLICT NO_PREVIOUS_MODULE when there are none. */
  async dropPrevious(collection: CollectionRow): Promise<boolean> {
    const c = await this.current(collection);
    const dropped = await this.deps.store.dropPreviousVectors(c.key);
    if (!dropped) throw conflict(`collection "${c.name}" has no previous vectors to drop`, 'NO_PREVIOUS_MODULE');
    await this.deps.collections.rebound(dropped.collection);
    this.deps.logger.info({ collection: c.name, vectors: dropped.dropped }, 'previous vectors dropped');
    return true;
  }

  /** The running migration of `collection`, with its job and progress; null when none runs. */
  async view(collection: CollectionRow): Promise<MigrationView | null> {
    const m = collection.migration;
    if (!m) return null;
    const job = await this.deps.store.getJob(m.job);
    if (!job) return null;
    const progress = (job.result ?? {}) as Partial<MigrationProgress>;
    return {
      job, dualWrite: m.dualWrite, target: m.target, revert: Boolean((job.params as Partial<MigrationParams>).revert),
      phase: progress.phase ?? 'embedding', done: progress.done ?? 0, total: progress.total ?? 0, rate: progress.rate ?? null, eta: progress.eta ?? null,
      retrained: progress.retrained ?? [],
    };
  }

  /** Cancels this process's migration jobs of a deleted collection (their rows went with it). */
  cancelCollection(collection: CollectionRow): void {
    this.runner.cancelCollection(collection.key);
  }

  /** Stops this process's migration jobs and releases them for another process (or the next start) to take over. */
  close(): Promise<void> {
    return this.runner.close();
  }

  private async start(collection: CollectionRow, target: ModuleBinding, retrainClassifiers: boolean, revert: boolean): Promise<JobRow> {
    const params: MigrationParams = { collection: collection.name, target, retrainClassifiers, revert };
    const claim = this.runner.newClaim();
    const job = { id: randomUUID(), kind: MIGRATE_JOB_KIND, collectionKey: collection.key, params: { ...params }, claim };
    let started;
    try {
      started = await this.deps.store.startMigration(collection.key, collection.module.sha256, target, job);
    } catch (e) {
      // the cached row is older than a swap: ask again with the collection as it is now
      if (!isModuleChanged(e)) throw e;
      const c = await this.current(collection);
      started = await this.deps.store.startMigration(c.key, c.module.sha256, target, { ...job, params: { ...params, collection: c.name } });
    }
    await this.deps.collections.rebound(started.collection);
    this.deps.logger.info({ collection: collection.name, job: job.id, from: collection.module.name, to: target.name, revert }, 'module migration started');
    void this.runner.submit({ id: job.id, collectionKey: collection.key, owner: claim.owner }, (ctx) => runMigration(this.deps, job.id, params, ctx));
    return started.job;
  }

  /** The work of a migration job taken over, rebuilt from its row; null when its collection is gone. */
  private async resume(job: JobRow): Promise<ResumedJob<JobRowPatch> | null> {
    const params = job.params as unknown as MigrationParams;
    if (typeof params.collection !== 'string' || !params.target) return null;
    const c = await this.deps.store.getCollection(params.collection);
    if (!c || c.key !== job.collectionKey) return null;
    return { collectionKey: c.key, work: (ctx) => runMigration(this.deps, job.id, params, ctx) };
  }

  /** The collection as the store has it now; NOT_FOUND when it is gone. */
  private async current(collection: CollectionRow): Promise<CollectionRow> {
    const c = await this.deps.collections.current(collection.name);
    if (c?.key !== collection.key) throw notFound(`collection "${collection.name}" does not exist`);
    return c;
  }
}
