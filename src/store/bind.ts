/**
 * The one place a dialect becomes a Store. A dialect implements each capability (api/) as plain
 * functions named after its methods, each taking the dialect's context first (sqlite/: a
 * SqliteConn, pg/: the drizzle PgDb); `bind` turns such a record into the capability, every method
 * `guard(name, () => fn(context, ...args))`, so no driver error (SQL, parameters) leaves the store
 * (driver-error.ts). What is truly the dialect's own (opening, migrating, closing, prepared
 * statements) stays in its client.ts.
 */
import { invariant } from '../errors.js';
import { CLASSIFIER_METHODS } from './api/classifiers.js';
import { CLUSTER_REVIEW_METHODS } from './api/cluster-review.js';
import { CLUSTERING_METHODS } from './api/clusterings.js';
import { COLLECTION_METHODS } from './api/collections.js';
import { DOCUMENT_METHODS } from './api/documents.js';
import { JOB_METHODS } from './api/jobs.js';
import { MODULE_MIGRATION_METHODS } from './api/module-migration.js';
import { MODULE_METHODS } from './api/modules.js';
import { SEARCH_METHODS } from './api/search.js';
import { guard } from './driver-error.js';
import type { Capabilities, Store } from './types.js';

/**
 * A dialect's functions for the capability `Api`: each method as a function of the dialect's
 * context and the method's arguments, returning the result (SQLite is synchronous) or its promise.
 * Extra members (helpers a module also exports) are allowed and ignored.
 */
export type DialectFunctions<C, Api> = {
  [K in keyof Api]: Api[K] extends (...args: infer A) => Promise<infer R> ? (context: C, ...args: A) => R | Promise<R> : never;
};

/** The capability `Api` over `context`: each method in `methods` runs its function in `guard`. */
export function bind<C, Api>(context: C, functions: DialectFunctions<C, Api>, methods: Record<keyof Api, true>): Api {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods)) {
    const fn = (functions as Record<string, unknown>)[name];
    invariant(typeof fn === 'function', `the dialect has no function for store method ${name}`);
    const call = fn as (context: C, ...args: unknown[]) => unknown;
    out[name] = (...args) => guard(name, () => call(context, ...args));
  }
  return out as Api;
}

/** What a dialect's client.ts hands bindStore. */
export interface Dialect<C> {
  name: Store['dialect'];
  /** What every function takes first: the connection or pool, and whatever is prepared on it. */
  context: C;
  functions: { [K in keyof Capabilities]: DialectFunctions<C, Capabilities[K]> };
  /** Releases the connection (pool); must be idempotent. */
  close(): void | Promise<void>;
  /** The optional change feed (api/changes.ts): listeners are called outside `guard`, never throw into the store. */
  onChange?: Store['onChange'];
}

/** The Store of a dialect: every capability bound to its context, and `close` guarded like the rest. */
export function bindStore<C>(d: Dialect<C>): Store {
  const { context, functions } = d;
  return {
    dialect: d.name,
    ...bind(context, functions.collections, COLLECTION_METHODS),
    ...bind(context, functions.documents, DOCUMENT_METHODS),
    ...bind(context, functions.search, SEARCH_METHODS),
    ...bind(context, functions.clusterings, CLUSTERING_METHODS),
    ...bind(context, functions.clusterReview, CLUSTER_REVIEW_METHODS),
    ...bind(context, functions.classifiers, CLASSIFIER_METHODS),
    ...bind(context, functions.jobs, JOB_METHODS),
    ...bind(context, functions.modules, MODULE_METHODS),
    ...bind(context, functions.moduleMigration, MODULE_MIGRATION_METHODS),
    close: () => guard('close', () => d.close()),
    ...(d.onChange ? { onChange: d.onChange } : {}),
  };
}
