/**
 * What `clusterCollection` accepts, its defaults, and the checks that run before a job is queued
 * (so a bad request fails at once with BAD_USER_INPUT instead of as a FAILED job).
 */
import { badInput, tooLarge } from '../../errors.js';
import type { ClusteringParams, CollectionRow, Store } from '../../store/types.js';
import { isMetadataKey, parseFilter, type Filter } from '../filter.js';

/** Defaults and limits of a clustering. */
export const CLUSTERING_DEFAULTS = Object.freeze({
  /** PRNG seed of k-means++ seeding, restarts, and the silhouette / choose-k samples. */
  seed: 0,
  /** k-means restarts (independent seedings; the lowest inertia wins). */
  restarts: 4,
  maxK: 1000,
  maxRestarts: 100,
  /** Most documents one clustering takes (their vectors are held in memory: 2 KiB each at 512-d). */
  maxDocuments: 1_000_000,
  /** k tried when k is omitted: 2..min(chooseMaxK, max(2, floor(sqrt(n / 2)))), at most n - 1. */
  chooseMaxK: 20,
  /** Documents sampled to choose k and to score the silhouette. */
  sampleSize: 2000,
  /** Representatives kept per cluster. */
  representatives: 5,
  /** Keywords kept per cluster. */
  keywords: 10,
});

/** The arguments of `clusterCollection`. */
export interface ClusterInput {
  k?: number | null;
  filter?: unknown;
  seed?: number | null;
  evaluateAgainst?: string | null;
  restarts?: number | null;
}

/** Validated parameters, the parsed filter, and how many documents match it now. */
export interface CheckedClustering {
  params: ClusteringParams;
  filter: Filter | null;
  documents: number;
}

/** The k range chooseK tries for n documents: 2..min(20, max(2, floor(sqrt(n / 2))), n - 1). */
export function chooseKRange(n: number): { minK: number; maxK: number } {
  return { minK: 2, maxK: Math.min(CLUSTERING_DEFAULTS.chooseMaxK, Math.max(2, Math.floor(Math.sqrt(n / 2))), n - 1) };
}

const intIn = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;

/** Checks the arguments against the collection; throws BAD_USER_INPUT (or TOO_LARGE) with what to change. */
export async function checkClustering(store: Store, collection: CollectionRow, input: ClusterInput): Promise<CheckedClustering> {
  const { maxK, maxRestarts, maxDocuments } = CLUSTERING_DEFAULTS;
  const k = input.k ?? null;
  if (k !== null && !intIn(k, 2, maxK)) throw badInput(`k must be an integer from 2 to ${maxK}, got ${k}`);
  const seed = input.seed ?? CLUSTERING_DEFAULTS.seed;
  if (!intIn(seed, 0, 2 ** 31 - 1)) throw badInput(`seed must be a non-negative integer, got ${seed}`);
  const restarts = input.restarts ?? CLUSTERING_DEFAULTS.restarts;
  if (!intIn(restarts, 1, maxRestarts)) throw badInput(`restarts must be an integer from 1 to ${maxRestarts}, got ${restarts}`);
  const evaluateAgainst = input.evaluateAgainst ?? null;
  if (evaluateAgainst !== null && !isMetadataKey(evaluateAgainst)) {
    throw badInput(`evaluateAgainst "${evaluateAgainst.slice(0, 80)}" is not a valid metadata key (letters, digits, _ and -, dotted for nesting)`);
  }
  const filter = parseFilter(input.filter);
  const n = await store.countDocuments(collection.key, filter);
  const what = filter ? `the filter matches ${n} document${n === 1 ? '' : 's'} of collection "${collection.name}"` : `collection "${collection.name}" has ${n} document${n === 1 ? '' : 's'}`;
  if (n === 0) throw badInput(`${what}: nothing to cluster`);
  if (k !== null && k > n) throw badInput(`${what}; k=${k} needs at least ${k}`);
  if (k === null && n < 3) throw badInput(`${what}; choosing k needs at least 3: pass k`);
  if (n > maxDocuments) throw tooLarge(`${what}; one clustering takes at most ${maxDocuments}: narrow it with a filter`);
  return { params: { kRequested: k, seed, restarts, filter: filter ? input.filter : null, evaluateAgainst }, filter, documents: n };
}
