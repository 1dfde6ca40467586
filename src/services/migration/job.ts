/**
 * The work of one module migration job (docs/module-migration.md), resumable from the store at any
 * point: the target vectors already stored are its checkpoint.
 *
 *   catch up   passes over the live documents whose target vector is missing or stale (embedded
 *              from another text), in key order, BATCH at a time: embed with the target module
 *              (vectors of identical texts reused), store under the collection's writer lock;
 *              writes meanwhile embed with the bound module only, so each pass finds what they
 *              changed
 *   last phase once a pass embedded at most FINAL_PHASE_AT (or after MAX_PASSES passes): writes
 *              must carry the target's vectors too (dual write), so one more pass leaves nothing stale
 *   swap       one transaction: nothing stale, the target bound, the bound module previous
 *   retrain    with retrainClassifiers, every head of another module is trained again (new versions)
 *
 * Every process follows the swap; this one at once (CollectionService.rebound).
 */
import { notFound } from '../../errors.js';
import type { CollectionRow, JobRow, JobRowPatch, ModuleBinding, Store } from '../../store/types.js';
import type { CollectionService } from '../collections.js';
import type { DocumentService } from '../documents.js';
import type { JobContext } from '../jobs/job-runner.js';
import { ProgressMeter, type MigrationPhase, type MigrationProgress } from './progress.js';

/** Documents embedded and stored per batch (a checkpoint each). */
const BATCH = 64;
/** A catch-up pass that embedded at most this many documents ends the catching up. */
const FINAL_PHASE_AT = 256;
/** Catch-up passes before the last phase starts anyway (writers that keep rewriting documents). */
const MAX_PASSES = 3;

/** What a migration job's row stores in `params`: enough to run it again on another process. */
export interface MigrationParams {
  collection: string;
  target: ModuleBinding;
  retrainClassifiers: boolean;
  revert: boolean;
}

/** What the work needs of the services. */
export interface MigrationDeps {
  store: Store;
  documents: DocumentService;
  collections: CollectionService;
  /** Trains every head of the collection whose module is not its bound one again, with its saved parameters. */
  retrain(collection: CollectionRow): Promise<{ name: string; version: number }[]>;
}

/** Why a run stops early: the migration ended under it (cancelled, failed elsewhere), or its job was cancelled here. */
class Stopped extends Error {}

/** Runs (or resumes) the migration `jobId` to its end; returns early, recording nothing, when it stops. */
export async function runMigration(deps: MigrationDeps, jobId: string, params: MigrationParams, ctx: JobContext<JobRowPatch>): Promise<void> {
  try {
    await run(deps, jobId, params, ctx);
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
  }
}

async function run(deps: MigrationDeps, jobId: string, params: MigrationParams, ctx: JobContext<JobRowPatch>): Promise<void> {
  const { store, collections } = deps;
  const { target } = params;
  let c = await collections.current(params.collection);
  if (!c) throw notFound(`collection "${params.collection}" was deleted`);
  const stored = ((await store.getJob(jobId))?.result ?? null) as Partial<MigrationProgress> | null;
  const meter = new ProgressMeter({ target, revert: params.revert, phase: 'embedding', done: 0, total: 0, rate: null, eta: null, retrained: [], ...stored });
  const write = (patch: Partial<MigrationProgress>, force = false) => {
    const state = meter.now(patch);
    if (force || meter.due()) ctx.report(meter.fraction, { result: { ...state } });
  };

  if (c.migration?.job === jobId) {
    const encoder = await deps.documents.encoderOf(c, target);
    let dual = c.migration.dualWrite;
    for (let pass = 1; ; pass++) {
      const total = await store.countDocuments(c.key);
      meter.state = { ...meter.state, total, done: total - (await store.countStale(c.key, target.sha256)) };
      write({ phase: dual ? 'final' : 'embedding' }, true);
      let embedded = 0;
      for (let afterKey = 0; ;) {
        if (ctx.signal.aborted) throw new Stopped();
        const page = await store.staleDocuments(c.key, target.sha256, afterKey, BATCH);
        if (page.length === 0) break;
        afterKey = page.at(-1)!.key;
        const vectors = await store.vectorsByContentHash(c.key, target.sha256, page.map((d) => d.contentHash));
        const missing = page.filter((d) => !vectors.has(d.contentHash));
        const fresh = missing.length ? await encoder.embed([...new Set(missing.map((d) => d.text))], { priority: 'bulk' }) : [];
        const byText = new Map([...new Set(missing.map((d) => d.text))].map((t, i) => [t, fresh[i]!]));
        for (const d of missing) vectors.set(d.contentHash, byText.get(d.text)!);
        const n = await store.writeModuleVectors(c.key, jobId, target.sha256, page.map((d) => ({ key: d.key, contentHash: d.contentHash, vector: vectors.get(d.contentHash)! })));
        if (n === null) throw new Stopped();
        embedded += n;
        meter.add(n);
        write({});
      }
      if (!dual) {
        if (embedded > FINAL_PHASE_AT && pass < MAX_PASSES) continue;
        const row = await store.enableDualWrite(c.key, jobId);
        if (!row) throw new Stopped();
        await collections.rebound(row);
        dual = true;
        continue;
      }
      const swap = await store.swapModule(c.key, jobId, { ...meter.now({ phase: 'swapped' }) });
      if (!swap) throw new Stopped();
      if (swap.swapped) {
        c = swap.collection;
        await collections.rebound(c);
        break;
      }
    }
  } else if (c.module.sha256 !== target.sha256 || !swappedPhases.includes(meter.state.phase)) {
    // resumed after the migration ended without a swap (cancelled, or failed elsewhere): nothing to do
    throw new Stopped();
  }

  let retrained: { name: string; version: number }[] = meter.state.retrained;
  if (params.retrainClassifiers) {
    write({ phase: 'retraining' }, true);
    retrained = [...retrained, ...(await deps.retrain(c))];
  }
  await ctx.flush();
  await ctx.update({ status: 'SUCCEEDED', progress: 1, result: { ...meter.now({ phase: 'done', retrained, done: meter.state.total }) } });
}

/** The phases stored once the swap is done: a job resumed in one finishes its tail. */
const swappedPhases: MigrationPhase[] = ['swapped', 'retraining'];
