/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithm 7.4: the
 * two-loop recursion with H₀ = (sᵀy / yᵀy)·I) over a strong-Wolfe line search: the full-batch
 * optimiser of the logistic head, as scikit-learn's default `lbfgs` solver (scipy L-BFGS-B).
 * Stops on a small gradient (max |gᵢ| ≤ gtol), a stalled objective (its relative decrease over the
 * last `window` iterations ≤ ftol), the iteration budget, or when `onIteration` asks to.
 */
import { strongWolfe, type Objective } from './line-search.js';

export type { Objective } from './line-search.js';

export interface LbfgsOptions {
  /** Iterations at most (scikit-learn's max_iter). */
  maxIterations: number;
  /** Correction pairs kept (default 10, as scipy). */
  memory?: number;
  /** Stop when max |gᵢ| ≤ gtol. */
  gtol: number;
  /** Stop when (f_{k−window} − f_k) ≤ ftol · max(|f_k|, 1e-12). */
  ftol: number;
  /** Iterations the ftol test looks back over (default 1: one iteration, as scipy's factr test). */
  window?: number;
  /** Step along −g on the first iteration (default 1/‖g‖₂, a unit move); the later ones try 1. */
  initialStep?: number;
  /** Called after each iteration with the new point; returning true stops the search there. */
  onIteration?(iteration: number, x: Float64Array, f: number): boolean | void;
}

export type StopReason = 'gtol' | 'ftol' | 'maxIterations' | 'callback' | 'lineSearch';

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  /** Objective evaluations (each computes the gradient too). */
  evaluations: number;
  reason: StopReason;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Minimises `fn` from `x0` (not modified). */
export function lbfgs(fn: Objective, x0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const memory = opts.memory ?? 10;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(x.length);
  let f = fn(x, g);
  let evaluations = 1;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alphas = new Float64Array(memory);
  const d = new Float64Array(x.length);
  const window = opts.window ?? 1;
  const history: number[] = [f];
  if (maxAbs(g) <= opts.gtol) return { x, f, iterations: 0, evaluations, reason: 'gtol' };

  for (let iteration = 1; iteration <= opts.maxIterations; iteration++) {
    // d = -H·g by the two-loop recursion
    for (let i = 0; i < d.length; i++) d[i] = -g[i]!;
    for (let j = s.length - 1; j >= 0; j--) {
      const a = rho[j]! * dot(s[j]!, d);
      alphas[j] = a;
      const yj = y[j]!;
      for (let i = 0; i < d.length; i++) d[i]! -= a * yj[i]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!);
      for (let i = 0; i < d.length; i++) d[i]! *= gamma;
    }
    for (let j = 0; j < s.length; j++) {
      const b = rho[j]! * dot(y[j]!, d);
      const sj = s[j]!;
      const c = alphas[j]! - b;
      for (let i = 0; i < d.length; i++) d[i]! += c * sj[i]!;
    }
    let slope = dot(d, g);
    if (!(slope < 0)) {
      // not a descent direction (lost curvature information): restart from steepest descent
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < d.length; i++) d[i] = -g[i]!;
      slope = dot(d, g);
    }
    const alpha0 = iteration === 1 && opts.initialStep ? opts.initialStep : s.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const { trial, evaluations: used } = strongWolfe(fn, x, f, g, d, alpha0);
    evaluations += used;
    if (!trial) return { x, f, iterations: iteration - 1, evaluations, reason: 'lineSearch' };

    const sk = new Float64Array(x.length);
    const yk = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      sk[i] = trial.x[i]! - x[i]!;
      yk[i] = trial.g[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-10 * dot(yk, yk)) {
      if (s.length === memory) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    x = trial.x;
    g = trial.g;
    f = trial.f;
    if (opts.onIteration?.(iteration, x, f)) return { x, f, iterations: iteration, evaluations, reason: 'callback' };
    if (maxAbs(g) <= opts.gtol) return { x, f, iterations: iteration, evaluations, reason: 'gtol' };
    history.push(f);
    if (history.length > window + 1) history.shift();
    if (history.length === window + 1 && history[0]! - f <= opts.ftol * Math.max(Math.abs(f), 1e-12)) {
      return { x, f, iterations: iteration, evaluations, reason: 'ftol' };
    }
  }
  return { x, f, iterations: opts.maxIterations, evaluations, reason: 'maxIterations' };
}
