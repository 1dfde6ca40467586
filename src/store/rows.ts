/**
 * Row shapes shared by both dialects: drizzle returns the same property names from the SQLite and
 * the PostgreSQL tables, so one mapper per type serves both repositories.
 */
import type { CollectionRow, JobRow, Metric, NewCollection } from './types.js';

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
}

/** The `collections` insert values for `c`. */
export function collectionValues(c: NewCollection, now: Date): Omit<CollectionRecord, 'key'> {
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
  };
}

/** A JobRow from a `jobs` record (drizzle already decoded the JSON columns). */
export function toJobRow(r: JobRow): JobRow {
  return { ...r, params: r.params ?? {}, result: r.result ?? null, error: r.error ?? null };
}

/** The message of the CONFLICT raised for a taken collection name. */
export const collectionExists = (name: string) => `collection "${name}" already exists`;

/** The message of the NOT_FOUND raised when writing to a collection that is gone (keys stay internal). */
export const COLLECTION_MISSING = 'the collection does not exist (it may have just been deleted)';
