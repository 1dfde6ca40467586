/** Shared helpers of the store suite (repository.suite.ts): a context and document builders. */
import type { CollectionRow, DocumentWrite, Store } from '../../src/store/types.js';

/** Dimensions of the test collections. */
export const DIMS = 4;

/** The sha256 of the module the test collections are bound to (their vectors are that module's). */
export const MODULE_SHA = 'ab'.repeat(32);

/** What the parts of the suite share: the open store and a way to open more. */
export interface SuiteContext {
  /** The store opened in beforeAll. */
  store(): Store;
  /** Opens another store on the same database (for durability and close tests). */
  open(): Promise<Store>;
  /** A fresh collection with a unique name starting with `prefix`. */
  collection(prefix: string, store?: Store): Promise<CollectionRow>;
}

let counter = 0;

/** A unique collection name (test files share one database). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 6)}`;
}

/** A deterministic vector for `seed`. */
export function vectorFor(seed: number): Float32Array {
  return Float32Array.from({ length: DIMS }, (_, i) => Math.sin(seed * 7.13 + i) * (i + 1));
}

/** A DocumentWrite whose content hash is derived from its text. */
export function doc(id: string, text = `text of ${id}`, metadata: Record<string, unknown> | null = null, vector?: Float32Array): DocumentWrite {
  return { id, text, metadata, contentHash: `h:${text}`, vector: vector ?? vectorFor(text.length + id.length) };
}

/** The bytes of a vector, for bit-exact comparison (NaN payloads, -0). */
export function bytesOf(v: Float32Array): number[] {
  return Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/** Creates a collection on `store` with the suite's defaults. */
export function newCollection(store: Store, name: string): Promise<CollectionRow> {
  return store.createCollection({
    name,
    module: { name: 'use-lite', version: '1.0.0', sha256: MODULE_SHA, dims: DIMS },
    metric: 'cosine',
    hnsw: { m: 16, efConstruction: 200, ef: 64 },
  });
}
