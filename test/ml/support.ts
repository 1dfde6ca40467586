/** Shared fixtures for the ml tests: Gaussian blobs and an optional scikit-learn oracle. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRng } from '../../src/ml/prng.js';

/** n rows around k random centres (spread `spread` per axis) with Gaussian noise `noise`. */
export function blobs(opts: { k: number; perCluster: number; dims: number; seed: number; spread?: number; noise?: number }) {
  const { k, perCluster, dims, seed } = opts;
  const rng = createRng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Array.from({ length: k }, () => Array.from({ length: dims }, () => (rng.next() - 0.5) * (opts.spread ?? 20)));
  const n = k * perCluster;
  const data = new Float32Array(n * dims);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    for (let t = 0; t < dims; t++) data[i * dims + t] = centres[c]![t]! + gauss() * (opts.noise ?? 1);
  }
  return { data, labels, n, dims };
}

/** Uniform random rows in [-0.5, 0.5). */
export function uniformRows(n: number, dims: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * dims }, () => rng.next() - 0.5);
}

/**
 * Debian's python3, where apt's python3-sklearn installs (.ci/run installs it). Not `python3` from
 * PATH: that may be a pyenv or venv interpreter that does not see Debian's dist-packages.
 */
const PYTHON = '/usr/bin/python3';

/** Why the scikit-learn oracle cannot run (null when /usr/bin/python3 imports sklearn). */
export const sklearnMissing: string | null = (() => {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed (apt-get install python3-sklearn)`;
  const r = spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) return null;
  const why = r.error?.message ?? r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`;
  return `${PYTHON} cannot import sklearn (${why}; apt-get install python3-sklearn)`;
})();

/** Linux: the python process ends with this one (PR_SET_PDEATHSIG), even when this one is SIGKILLed. */
const DIE_WITH_PARENT = "import sys\nif sys.platform.startswith('linux'):\n    import ctypes, signal\n    ctypes.CDLL(None).prctl(1, signal.SIGKILL)\n";

/** Runs a python snippet that reads JSON from stdin and prints JSON. */
export function python<T>(code: string, input: unknown): T {
  const r = spawnSync(PYTHON, ['-c', DIE_WITH_PARENT + code], { input: JSON.stringify(input), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
