/**
 * The validation report of a head in label terms: src/ml/heads/metrics.ts scores the class
 * indices; this names them, scores the `sliceBy` groups, and warns when the accuracy of two
 * slices differs by more than SLICE_GAP_WARNING. A module carries the biases of its training
 * data, so a head can serve one group of documents much worse than another: the report shows it.
 */
import { evaluate, evaluateSlices, sliceGap } from '../../ml/heads/metrics.js';
import type { ClassifierMetrics } from '../../store/types.js';

/** Accuracy gap between slices above which the report carries a warning. */
const SLICE_GAP_WARNING = 0.05;

const pct = (x: number) => x.toFixed(3);

/** Metrics of validation predictions `pred` against `gold`, with per-slice scores when `slices` are given. */
export function validationMetrics(gold: Int32Array, pred: Int32Array, labels: string[], sliceBy: string | null, slices: (string | null)[] | null): ClassifierMetrics {
  const e = evaluate(gold, pred, labels.length);
  const perSlice = sliceBy && slices ? evaluateSlices(gold, pred, labels.length, slices) : [];
  const gap = sliceGap(perSlice);
  let warning: string | null = null;
  if (gap && gap.gap > SLICE_GAP_WARNING) {
    const of = (s: string | null) => perSlice.find((p) => p.slice === s)!;
    const name = (s: string | null) => (s === null ? `(no ${sliceBy})` : `"${s}"`);
    warning = `accuracy differs by ${pct(gap.gap)} between ${sliceBy} slices: ${name(gap.best)} ${pct(of(gap.best).accuracy)} (n=${of(gap.best).n}) ` +
      `vs ${name(gap.worst)} ${pct(of(gap.worst).accuracy)} (n=${of(gap.worst).n}); check the head on each group before relying on it`;
  }
  return {
    n: e.n,
    accuracy: e.accuracy,
    macroF1: e.macroF1,
    perClass: e.perClass.map((c, i) => ({ label: labels[i]!, ...c })),
    confusion: e.confusion,
    sliceBy,
    perSlice,
    sliceGap: gap,
    warning,
  };
}
