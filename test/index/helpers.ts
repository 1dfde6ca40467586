/**
 * Shared fixtures of the index tests: parameters, temp directories, items and recall.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexHit, IndexParams } from '../../src/index/types.js';

/** Small-but-real HNSW parameters (efConstruction lowered to keep builds quick on two cores). */
export function params(over: Partial<IndexParams> = {}): IndexParams {
  return { dims: 512, metric: 'cosine', m: 16, efConstruction: 64, ef: 64, moduleSha256: 'a'.repeat(64), ...over };
}

/** A fresh temp directory and its cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'semhub-index-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Items keyed first, first + 1, ... */
export function items(vectors: Float32Array[], first = 0): { key: number; vector: Float32Array }[] {
  return vectors.map((vector, i) => ({ key: first + i, vector }));
}

/** Fraction of the true neighbours found, over all queries. */
export function recall(found: IndexHit[][], truth: IndexHit[][]): number {
  let hits = 0;
  let total = 0;
  found.forEach((row, q) => {
    const got = new Set(row.map((h) => h.key));
    for (const h of truth[q]!) hits += got.has(h.key) ? 1 : 0;
    total += truth[q]!.length;
  });
  return hits / total;
}

/** The keys of each result row. */
export function keysOf(rows: IndexHit[][]): number[][] {
  return rows.map((row) => row.map((h) => h.key));
}
