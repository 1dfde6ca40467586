/** Fixtures of the head tests: seeded Gaussian classes, XOR-like data, and the split into parts. */
import { shuffle, type Rng } from '../../../src/ml/prng.js';
import type { LabelledRows } from '../../../src/ml/heads/logistic.js';

/**
 * The stream the fixture data are drawn from: mulberry32 (public domain), the generator the head
 * tests' thresholds were set on. Test data only: src/ draws from ml/prng.ts.
 */
function fixtureRng(seed: number): Rng {
  let s = seed >>> 0;
  const uint32 = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => uint32() / 4294967296;
  return { uint32, next, int: (bound) => Math.floor(next() * bound) };
}

/** A standard normal draw (Box-Muller) from a seeded uniform source. */
function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** `counts[c]` rows of class c around random centres (per-axis spread `spread`), unit noise × `noise`. */
export function gaussianClasses(opts: { counts: number[]; dims: number; seed: number; spread?: number; noise?: number }): LabelledRows & { dims: number } {
  const rng = fixtureRng(opts.seed);
  const centres = opts.counts.map(() => Array.from({ length: opts.dims }, () => (rng.next() - 0.5) * (opts.spread ?? 6)));
  // rows in a seeded random order, so any slice holds the classes in about their proportions
  const order = shuffle(opts.counts.flatMap((count, c) => new Array<number>(count).fill(c)), rng);
  const n = order.length;
  const x = new Float32Array(n * opts.dims);
  const y = Int32Array.from(order);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < opts.dims; t++) x[i * opts.dims + t] = centres[y[i]!]![t]! + gaussian(rng.next) * (opts.noise ?? 1);
  }
  return { x, y, n, dims: opts.dims };
}

/** XOR in the first two of `dims` axes: class = sign(x0) != sign(x1); the other axes are noise. */
export function xorRows(n: number, dims: number, seed: number): LabelledRows & { dims: number } {
  const rng = fixtureRng(seed);
  const x = new Float32Array(n * dims);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < dims; t++) x[i * dims + t] = rng.next() * 2 - 1;
    y[i] = (x[i * dims]! > 0) !== (x[i * dims + 1]! > 0) ? 1 : 0;
  }
  return { x, y, n, dims };
}

/** The rows `from`..`to` of a labelled set. */
export function part(rows: LabelledRows & { dims: number }, from: number, to: number): LabelledRows {
  return { x: rows.x.slice(from * rows.dims, to * rows.dims), y: rows.y.slice(from, to), n: to - from };
}

/** Fraction of rows whose argmax of `p` (n × classes) is their label. */
export function accuracyOf(p: Float32Array, y: Int32Array, classes: number): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[i * classes + c]! > p[i * classes + best]!) best = c;
    if (best === y[i]) ok++;
  }
  return ok / y.length;
}
