/**
 * Row shapes shared by both dialects: drizzle returns the same property names from the SQLite and
 * the PostgreSQL tables, so one mapper per type serves both dialects.
 */
import { invariant } from '../errors.js';
import type {
  ClusterPointRow, ClusterReviewPatch, ClusteringOutcome, ClusteringParams, ClusteringPatch, ClusteringQuality, ClusteringRow, ClusterProjection, ClusterRow, CollectionRow, DocumentRow, JobRow, JobStatus, Metric,
  NewCollection, NewJob,
} from './types.js';
import type { MigrationState, ModuleBinding } from './types.js';

/** A `collections` row as drizzle selects it. */
export interface CollectionRecord {
  key: number;
  name: string;
  moduleName: string;
  moduleVersion: string;
  moduleSha256: string;
  dims: number;
  metric: Metric;
  hnswM: number;
  hnswEfConstruction: number;
  hnswEf: number;
  createdAt: Date;
  previousModule: ModuleBinding | null;
  migration: MigrationState | null;
  bindingVersion: number;
}

/** The `collections` insert values for `c`. */
export function collectionValues(c: NewCollection, now: Date): Omit<CollectionRecord, 'key' | 'previousModule' | 'migration' | 'bindingVersion'> {
  return {
    name: c.name,
    moduleName: c.module.name,
    moduleVersion: c.module.version,
    moduleSha256: c.module.sha256,
    dims: c.module.dims,
    metric: c.metric,
    hnswM: c.hnsw.m,
    hnswEfConstruction: c.hnsw.efConstruction,
    hnswEf: c.hnsw.ef,
    createdAt: now,
  };
}

/** A CollectionRow from a `collections` record. */
export function toCollectionRow(r: CollectionRecord): CollectionRow {
  return {
    key: r.key,
    name: r.name,
    module: { name: r.moduleName, version: r.moduleVersion, sha256: r.moduleSha256, dims: r.dims },
    metric: r.metric,
    hnsw: { m: r.hnswM, efConstruction: r.hnswEfConstruction, ef: r.hnswEf },
    createdAt: r.createdAt,
    previousModule: r.previousModule ?? null,
    migration: r.migration ?? null,
    bindingVersion: r.bindingVersion,
  };
}

/** The `jobs` insert values of a new job: PENDING at progress 0, unclaimed or claimed once by `claim`. */
export function newJobValues({ claim, ...job }: NewJob, now: Date): JobRow {
  const lease = claim ? { owner: claim.owner, leaseUntil: claim.leaseUntil, attempts: 1 } : { owner: null, leaseUntil: null, attempts: 0 };
  return { ...job, status: 'PENDING', progress: 0, result: null, error: null, ...lease, createdAt: now, updatedAt: now };
}

/** The columns of a DocumentRow in the `documents` table of either dialect, as one select shape. */
export function documentColumnsOf<T extends Record<keyof DocumentRow, unknown>>(documents: T): Pick<T, keyof DocumentRow> {
  const { key, id, text, metadata, contentHash, seq, createdAt, updatedAt, deletedAt } = documents;
  return { key, id, text, metadata, contentHash, seq, createdAt, updatedAt, deletedAt };
}

/** A JobRow from a `jobs` record (drizzle already decoded the JSON columns). */
export function toJobRow(r: JobRow): JobRow {
  return { ...r, params: r.params ?? {}, result: r.result ?? null, error: r.error ?? null, owner: r.owner ?? null, leaseUntil: r.leaseUntil ?? null };
}

/** The message of the CONFLICT raised for a taken collection name. */
export const collectionExists = (name: string) => `collection "${name}" already exists`;

/** The message of the NOT_FOUND raised when writing to a collection that is gone (keys stay internal). */
export const COLLECTION_MISSING = 'the collection does not exist (it may have just been deleted)';

/** The job kind of a clustering (the job shares the clustering's id). */
export const CLUSTER_JOB_KIND = 'cluster';

/** Statuses of a clustering that is still queued or computing; the others are final. */
export const UNFINISHED: JobStatus[] = ['PENDING', 'RUNNING'];

/** A `clusterings` row joined with its collection's name, as drizzle selects it. */
export interface ClusteringRecord extends Omit<ClusteringRow, 'filter' | 'quality' | 'projection'> {
  filter: unknown;
  quality: ClusteringQuality | null;
  projection: ClusterProjection | null;
}

/** A ClusteringRow from a joined `clusterings` record. */
export function toClusteringRow(r: ClusteringRecord): ClusteringRow {
  return { ...r, filter: r.filter ?? null, quality: r.quality ?? null, projection: r.projection ?? null, module: r.module ?? null };
}

/** The params of a clustering's job, named like the clusterCollection arguments. */
export function clusteringJobParams(p: ClusteringParams): Record<string, unknown> {
  return { k: p.kRequested, seed: p.seed, restarts: p.restarts, filter: p.filter ?? null, evaluateAgainst: p.evaluateAgainst };
}

/** The fields among `keys` that `patch` gives (leaves out the undefined ones). */
function givenFields<T extends object, K extends keyof T>(patch: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (patch[k] !== undefined) out[k] = patch[k];
  return out;
}

/** The part of a clustering patch its job mirrors. */
export function jobPatchOf(patch: ClusteringPatch): Partial<Pick<JobRow, 'status' | 'progress' | 'error'>> {
  return givenFields(patch, ['status', 'progress', 'error']);
}

/** The result a finished clustering's job reports: where to read it, k and the cluster sizes. */
export function clusteringJobResult(id: string, o: ClusteringOutcome): Record<string, unknown> {
  return { clusteringId: id, k: o.k, kChosenBy: o.kChosenBy, documents: o.documentKeys.length, sizes: o.clusters.map((c) => c.size) };
}

/** A `clusters` row as drizzle selects it. */
export interface ClusterRecord extends Omit<ClusterRow, 'index'> {
  cluster: number;
}

/** The clusters of each of `clusteringKeys`, in that order, from records ordered by clustering and cluster. */
export function groupClusters(clusteringKeys: readonly number[], records: readonly ClusterRecord[]): ClusterRow[][] {
  const byKey = new Map<number, ClusterRow[]>();
  for (const { cluster, ...r } of records) {
    let list = byKey.get(r.clusteringKey);
    if (!list) byKey.set(r.clusteringKey, (list = []));
    list.push({ ...r, index: cluster });
  }
  return clusteringKeys.map((k) => byKey.get(k) ?? []);
}

/** An assignment row for insertion: document, cluster and its place on the map (null without a projection). */
interface AssignmentValues {
  clusteringKey: number;
  documentKey: number;
  cluster: number;
  x: number | null;
  y: number | null;
  sampled: boolean | null;
}

/** Assignment rows of an outcome, for insertion. */
export function assignmentRows(clusteringKey: number, o: ClusteringOutcome): AssignmentValues[] {
  const rows = new Array<AssignmentValues>(o.documentKeys.length);
  const p = o.projection;
  for (let i = 0; i < rows.length; i++) {
    rows[i] = {
      clusteringKey, documentKey: o.documentKeys[i]!, cluster: o.assignments[i]!,
      x: p ? p.xy[2 * i]! : null, y: p ? p.xy[2 * i + 1]! : null, sampled: p ? p.sampled[i] === 1 : null,
    };
  }
  return rows;
}

/** Programmer checks on an outcome before it is written: one assignment per key, clusters 0..k-1. */
export function checkOutcome(o: ClusteringOutcome): void {
  invariant(o.documentKeys.length === o.assignments.length, `outcome has ${o.documentKeys.length} keys but ${o.assignments.length} assignments`);
  invariant(o.clusters.length === o.k && o.clusters.every((c, i) => c.index === i), `outcome must hold clusters 0..${o.k - 1} in order`);
  for (let i = 0; i < o.assignments.length; i++) {
    const c = o.assignments[i]!;
    invariant(Number.isInteger(c) && c >= 0 && c < o.k, `assignment ${c} is outside 0..${o.k - 1}`);
  }
  if (o.projection) {
    const { xy, sampled } = o.projection;
    invariant(xy.length === 2 * o.documentKeys.length && sampled.length === o.documentKeys.length, 'the projection must hold one position per document');
    for (let i = 0; i < xy.length; i++) invariant(Number.isFinite(xy[i]), `projection coordinate ${i} is not finite`);
  }
}

/** The columns a cluster review patch sets (only those it gives). */
export function reviewValues(p: ClusterReviewPatch): Partial<Pick<ClusterRow, 'reviewedLabel' | 'noise' | 'mergedInto'>> {
  return givenFields(p, ['reviewedLabel', 'noise', 'mergedInto']);
}

/** The select shape of a ClusterPointRow in either dialect: an assignment joined to its document's id. */
export function pointColumnsOf<A extends Record<'documentKey' | 'cluster' | 'x' | 'y' | 'sampled', unknown>, I>(
  a: A, documents: { id: I },
): Pick<A, 'documentKey' | 'cluster' | 'x' | 'y' | 'sampled'> & { documentId: I } {
  return { documentKey: a.documentKey, documentId: documents.id, cluster: a.cluster, x: a.x, y: a.y, sampled: a.sampled };
}

/** A ClusterPointRow from a selected record (livePoints keeps only rows with a place). */
export function toPointRow(r: { documentKey: number; documentId: string; cluster: number; x: number | null; y: number | null; sampled: boolean | null }): ClusterPointRow {
  return { ...r, x: r.x ?? 0, y: r.y ?? 0, sampled: r.sampled ?? false };
}
