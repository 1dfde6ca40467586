/**
 * Strong-Wolfe line search (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithms 3.5 and
 * 3.6, with safeguarded cubic interpolation in `zoom`). It finds a step α along a descent
 * direction d with sufficient decrease, f(x + αd) ≤ f(x) + c1·α·∇f·d, and small slope,
 * |∇f(x + αd)·d| ≤ c2·|∇f·d|, which keeps the L-BFGS curvature pairs positive.
 */

/** f(x) with its gradient written into `g`. */
export type Objective = (x: Float64Array, g: Float64Array) => number;

/** A point of the search with its value and gradient. */
export interface Trial {
  alpha: number;
  f: number;
  /** Directional derivative ∇f(x + αd)·d. */
  slope: number;
  x: Float64Array;
  g: Float64Array;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_EVALUATIONS = 25;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The minimiser of the cubic through two points with slopes, kept inside [lo, hi] by 10% margins; the midpoint when undefined. */
function cubicStep(a: Trial, b: Trial): number {
  const lo = Math.min(a.alpha, b.alpha);
  const hi = Math.max(a.alpha, b.alpha);
  const d1 = a.slope + b.slope - (3 * (a.f - b.f)) / (a.alpha - b.alpha);
  const disc = d1 * d1 - a.slope * b.slope;
  let step = NaN;
  if (disc >= 0) {
    const d2 = Math.sign(b.alpha - a.alpha) * Math.sqrt(disc);
    step = b.alpha - ((b.alpha - a.alpha) * (b.slope + d2 - d1)) / (b.slope - a.slope + 2 * d2);
  }
  const margin = 0.1 * (hi - lo);
  if (!Number.isFinite(step) || step < lo + margin || step > hi - margin) step = (lo + hi) / 2;
  return step;
}

/**
 * Searches along `d` from `x` (value f0, gradient g0) starting with step `alpha0`. Returns the
 * accepted trial, or the best trial with sufficient decrease when none satisfies both conditions
 * within the evaluation budget, or null when no step decreased f (then the caller stops).
 */
export function strongWolfe(fn: Objective, x: Float64Array, f0: number, g0: Float64Array, d: Float64Array, alpha0: number): { trial: Trial | null; evaluations: number } {
  const slope0 = dot(g0, d);
  let evaluations = 0;
  const evaluate = (alpha: number): Trial => {
    const xt = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) xt[i] = x[i]! + alpha * d[i]!;
    const g = new Float64Array(x.length);
    const f = fn(xt, g);
    evaluations++;
    return { alpha, f, slope: dot(g, d), x: xt, g };
  };
  const sufficient = (t: Trial) => Number.isFinite(t.f) && t.f <= f0 + C1 * t.alpha * slope0;
  const curvature = (t: Trial) => Math.abs(t.slope) <= -C2 * slope0;

  const zoom = (lo: Trial, hi: Trial): Trial | null => {
    while (evaluations < MAX_EVALUATIONS) {
      const t = evaluate(cubicStep(lo, hi));
      if (!sufficient(t) || t.f >= lo.f) hi = t;
      else {
        if (curvature(t)) return t;
        if (t.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = t;
      }
      if (Math.abs(hi.alpha - lo.alpha) <= 1e-12 * Math.max(1, lo.alpha)) break;
    }
    return lo.alpha > 0 ? lo : null;
  };

  const start: Trial = { alpha: 0, f: f0, slope: slope0, x, g: g0 };
  let prev = start;
  let alpha = alpha0;
  while (evaluations < MAX_EVALUATIONS) {
    const t = evaluate(alpha);
    if (!Number.isFinite(t.f)) {
      // overshot into overflow: back off towards the last good point
      alpha = (prev.alpha + alpha) / 2;
      continue;
    }
    if (!sufficient(t) || (prev.alpha > 0 && t.f >= prev.f)) return { trial: zoom(prev, t), evaluations };
    if (curvature(t)) return { trial: t, evaluations };
    if (t.slope >= 0) return { trial: zoom(t, prev), evaluations };
    prev = t;
    alpha *= 4;
  }
  return { trial: prev.alpha > 0 ? prev : null, evaluations };
}
