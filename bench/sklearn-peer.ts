/**
 * The scikit-learn k-means peer of `semhub bench cluster`: runs bench/peers/sklearn_kmeans.py with
 * the system python3 (Debian python3-sklearn) on a float32 file of the same data, and reads back
 * its timing line and labels. Absent python3 / numpy / scikit-learn make it a skip with a reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PYTHON = process.env.SEMHUB_BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = path.join(import.meta.dirname, 'peers', 'sklearn_kmeans.py');

/** The peer's report (see sklearn_kmeans.py) plus its labels. */
export interface SklearnRun {
  seconds: number;
  cpu_seconds: number;
  inertia: number;
  iterations: number;
  algorithm: string;
  threads: Record<string, number> | null;
  sklearn: string;
  labels: Int32Array;
}

/** Why the peer cannot run here, or null when it can. */
export function sklearnMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import numpy, sklearn'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} is not available (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} cannot import numpy and scikit-learn: ${r.stderr.trim().split('\n').at(-1)}`;
  return null;
}

/** Fits scikit-learn KMeans (or MiniBatchKMeans with `minibatch`) on n rows of `dims` floats. */
export function runSklearnKmeans(
  data: Float32Array, n: number, dims: number,
  opts: { k: number; seed: number; nInit: number; minibatch?: number; maxIter?: number },
): SklearnRun {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'semhub-sklearn-'));
  try {
    const file = path.join(dir, 'data.f32');
    const labelsFile = path.join(dir, 'labels.i32');
    writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, n * dims * 4));
    const args = [SCRIPT, file, String(n), String(dims), String(opts.k), String(opts.seed), String(opts.nInit), '--labels-out', labelsFile];
    if (opts.minibatch) args.push('--minibatch', String(opts.minibatch));
    if (opts.maxIter) args.push('--max-iter', String(opts.maxIter));
    const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`sklearn peer failed (${r.status ?? r.signal}): ${r.stderr.trim().slice(-500)}`);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Omit<SklearnRun, 'labels'>;
    const bytes = readFileSync(labelsFile);
    return { ...report, labels: new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n * 4)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
