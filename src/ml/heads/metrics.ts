/**
 * Classification metrics with scikit-learn's definitions (classification_report,
 * confusion_matrix): per-class precision, recall, F1 and support, accuracy, and the macro F1 over
 * the classes that occur in the gold labels or the predictions (a class with neither is left out,
 * as sklearn's `labels=None`). Precision or recall with a zero denominator is 0.
 */

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Gold rows of the class. */
  support: number;
}

export interface Evaluation {
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassScores[];
  /** confusion[gold][predicted], classes in index order. */
  confusion: number[][];
}

/** Scores predictions `pred` against `gold` (both 0..classes-1). */
export function evaluate(gold: ArrayLike<number>, pred: ArrayLike<number>, classes: number): Evaluation {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < gold.length; i++) {
    confusion[gold[i]!]![pred[i]!]!++;
    if (gold[i] === pred[i]) correct++;
  }
  const perClass: ClassScores[] = [];
  let f1Sum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support });
    if (support > 0 || predicted > 0) {
      f1Sum += f1;
      present++;
    }
  }
  return {
    n: gold.length,
    accuracy: gold.length > 0 ? correct / gold.length : 0,
    macroF1: present > 0 ? f1Sum / present : 0,
    perClass,
    confusion,
  };
}

export interface SliceScores {
  /** The slice's value; null for rows without one. */
  slice: string | null;
  n: number;
  accuracy: number;
  macroF1: number;
}

export interface SliceGap {
  best: string | null;
  worst: string | null;
  /** Accuracy of the best slice minus that of the worst. */
  gap: number;
}

/** The same scores per slice (rows grouped by `slices[i]`), ordered by slice value, null last. */
export function evaluateSlices(gold: ArrayLike<number>, pred: ArrayLike<number>, classes: number, slices: ReadonlyArray<string | null>): SliceScores[] {
  const groups = new Map<string | null, number[]>();
  for (let i = 0; i < gold.length; i++) {
    const s = slices[i] ?? null;
    if (!groups.has(s)) groups.set(s, []);
    groups.get(s)!.push(i);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return keys.map((slice) => {
    const rows = groups.get(slice)!;
    const e = evaluate(rows.map((i) => gold[i]!), rows.map((i) => pred[i]!), classes);
    return { slice, n: e.n, accuracy: e.accuracy, macroF1: e.macroF1 };
  });
}

/** The slices with the highest and lowest accuracy and their difference; null with fewer than two slices. */
export function sliceGap(scores: SliceScores[]): SliceGap | null {
  if (scores.length < 2) return null;
  let best = scores[0]!;
  let worst = scores[0]!;
  for (const s of scores) {
    if (s.accuracy > best.accuracy) best = s;
    if (s.accuracy < worst.accuracy) worst = s;
  }
  return { best: best.slice, worst: worst.slice, gap: best.accuracy - worst.accuracy };
}
